"""Forms of the police side of Operation Encompass: recording an incident and correcting it."""
