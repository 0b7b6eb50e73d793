"""Import HRIS exports."""
