"""The two ways out of a compiled plan."""


class NotCompiled(Exception):
    """The document uses something a plan does not cover: it is always executed generically."""


class Fallback(Exception):
    """This request's values are not ones a plan answers without doubt: the generic path answers it."""
