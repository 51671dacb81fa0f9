"""The path converter for record ids: `<id:pk>`, a positive whole number that fits the
database's 64-bit integer. Anything else (a letter, a minus sign, twenty digits) does not
match, so the answer is a 404 rather than a crash deep in the database driver."""

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)  # the URL does not match
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
