"""Sheets: workshop grids and the content inventory as CSV/XLSX, and back to YAML."""
