"""`tenant-checker collect`: read-only Microsoft Graph requests that write the files `scan` reads.

The only part of the tool that opens a network connection. Nothing outside this package
imports it, except the `collect` command, lazily, so that `scan` stays offline.
"""
