"""People are deliberately not in the Django admin.

The admin reads and writes rows directly: it would bypass the access selectors
(`safehub.people.selectors`), field-level withholding and, from the Trust core on, the
audit log. Personal records are read and changed only through SafeHub's own pages and
API. Administrators manage the directory and calendars in the admin; nothing personal.
"""
