"""Type stub of liveness's compiled graph algorithms (checker/_fair.pyx)."""

from array import array

def row_starts(n: int, src: array[int]) -> array[int]: ...
def reach(
    start: array[int], dst: array[int], sources: bytes | bytearray, allowed: bytes | bytearray
) -> bytearray: ...
def can_reach(
    start: array[int], dst: array[int], region: bytes | bytearray, targets: bytes | bytearray
) -> bytearray: ...
def stuck(
    start: array[int],
    dst: array[int],
    move: array[int],
    region: bytes | bytearray,
    fair_move: bytes | bytearray,
) -> array[int]: ...
def strongly_connected(
    start: array[int], dst: array[int], inside: bytes | bytearray
) -> list[list[int]]: ...
def fair_components(
    start: array[int],
    dst: array[int],
    move: array[int],
    region: bytes | bytearray,
    cons: array[int],
    kw: int,
    weak: array[int],
    strong: array[int],
) -> tuple[array[int], int]: ...
