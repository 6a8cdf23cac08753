"""`branchwise serve`: the terminal app served to browsers, one app per tab, behind a sign-in."""
