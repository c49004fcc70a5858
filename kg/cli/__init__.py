"""The `kg` command line; the group and its commands are registered in kg.cli.main."""
