"""Load: find the project's YAML files, parse them (cache, workers) into documents."""
