"""The few ``typing`` names lambda_kit needs at run time, without importing typing.

``import typing`` costs ~5 ms of a cold start under the bare Lambda runtime client.
Annotations are strings (``from __future__ import annotations``), so what remains at
run time is a generic base class and its type variables: mypy sees typing's own
names, the interpreter these stand-ins, which behave the same where lambda_kit uses
them (``class Reused(Generic[T])``, ``Reused[Any]`` in an annotation, ``TypeVar("T")``).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Generic as Generic
    from typing import ParamSpec as ParamSpec
    from typing import TypeVar as TypeVar
else:

    class Generic:
        """Subscriptable base class: ``Generic[T]`` is ``Generic``, ``Cls[X]`` is ``Cls``."""

        __slots__ = ()

        def __class_getitem__(cls, item):
            return cls

    def TypeVar(name, *constraints, **options):
        return name

    ParamSpec = TypeVar
