"""The sign-in space of DESIGN section 4: every sign-in of every user, evaluated as Entra would.

``evaluate`` (checker.evaluation.evaluate) is the one entry point; the checks, ``explain-user``
and ``gaps`` read its result.
"""
