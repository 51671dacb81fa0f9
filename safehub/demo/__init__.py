"""The fictional demo partnership that `safehub demo` loads: organisations, calendars,
families and one user per role, generated deterministically from a seed."""
