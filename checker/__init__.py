"""tenant-checker: offline MFA compliance checks for Microsoft Entra ID exports."""
__version__ = "0.1.0"
