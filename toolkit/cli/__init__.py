"""Command line: thin commands that parse options, call the pipeline and print."""
