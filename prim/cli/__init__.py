"""The `prim` command line: one module per subcommand."""
