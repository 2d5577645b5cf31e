"""Helpers shared by the test suite: real servers started in real processes."""
