"""Graph: the compiled journey graph and its incremental patching."""
