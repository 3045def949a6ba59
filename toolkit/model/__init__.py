"""Model: the project format's kinds as typed models, validated and cross-checked."""
