"""An independent, deliberately naive oracle for Conditional Access MFA coverage.

The evaluation engine is tested against it; it shares nothing with the engine but the model
(``checker.model``) and the well-known ids (``checker.entra``).
"""
