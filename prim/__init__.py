"""PRIM: an instant-messaging system driven by one protobuf spec.

The top-level folders of the repository (runtime/, services/, codegen/, generated/python/,
clients/python/, conformance/, bench/) are the subpackages of this import root; they are
linked here so that the layout of the repository and the import paths agree.
"""

__version__ = "0.1.0"
