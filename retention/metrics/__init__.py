"""Small pure polars shaping of query results for charts and tables (no I/O, no streamlit), one module per part."""
