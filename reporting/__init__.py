"""Analysis and reports for the SaferMK survey: plain data in, plain data out, no Flask."""
