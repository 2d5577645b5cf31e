"""Jupyter integration: the %cypher magic, result and progress widgets, rich reprs and the
notebook stylesheet."""
