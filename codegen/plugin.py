"""The `protoc-gen-prim` plugin: reads a CodeGeneratorRequest on stdin, runs every emitter,
writes a CodeGeneratorResponse on stdout (the protoc plugin protocol)."""

from __future__ import annotations

import sys

from google.protobuf.compiler import plugin_pb2

from prim.codegen.emitters import all_emitters
from prim.codegen.model import SpecError, build_model


def generate(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    response = plugin_pb2.CodeGeneratorResponse()
    response.supported_features = plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    try:
        model = build_model(list(request.proto_file), list(request.file_to_generate))
        files: dict[str, str] = {}
        for name, emit in all_emitters().items():
            for path, content in emit(model).items():
                if path in files:
                    raise SpecError(f"emitter {name} writes {path}, which another one wrote")
                files[path] = content
    except SpecError as exc:
        response.error = str(exc)
        return response
    for path in sorted(files):
        out = response.file.add()
        out.name = path
        out.content = files[path]
    return response


def main() -> None:
    request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
    sys.stdout.buffer.write(generate(request).SerializeToString())


if __name__ == "__main__":
    main()
