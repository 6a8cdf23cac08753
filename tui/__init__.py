"""branchwise's faces: the command line, the plain line mode and the Textual app."""
