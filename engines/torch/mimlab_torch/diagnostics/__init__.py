"""The samples/<step>/ folders (reconstructions, attention maps) with the files and JSON of src/diagnostics."""
