"""The test suite of branchwise."""
