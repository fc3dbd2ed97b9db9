"""The mirror gate: may a liveness property take the verdict of its declared mirror image?

Why a module of its own: liveness runs on the unreduced graph, so a property declared the
image of another under the system's symmetry (``Property.mirror``) can skip its own search only
when the facts that make the two verdicts equal are checked on this very product. That check
reads the symmetry declaration, the instances and the fairness globs; it never touches the
explored graph.
"""

from __future__ import annotations

from .fair_cycles import _fairness
from .product import Product
from .properties import Property

__all__ = ["mirror_gate"]


def mirror_gate(product: Product, rep: Property, prop: Property) -> str | None:
    """Why ``prop`` may not take ``rep``'s verdict by symmetry (None: it may).

    ``prop.mirror`` declares ``prop`` the image of ``rep`` under a group element ``g`` of the
    system's declared symmetry. The verdicts agree when ``g`` is an automorphism of the
    explored graph that maps ``rep``'s fairness onto ``prop``'s [Emerson and Sistla 1996]:
    the declaration holds for the classes it was made for, and here every instance keeps its
    declared class, ``g`` maps instances onto instances of the same class with equal params
    (up to the declared renaming) and fixes the initial state, and the fair moves of ``rep``,
    renamed, are exactly those of ``prop``. These are the facts the reduction relies on, plus
    the initial state, which liveness on the unreduced graph needs.
    """
    from .symmetry import Reduction, Symmetry, TooLarge, changed_classes

    m = prop.mirror
    sym = product.system.meta.get("symmetry")
    if m is None or not isinstance(sym, Symmetry):
        return "the system declares no symmetry"
    changed = changed_classes(product, sym)
    if changed:
        return f"{changed[0]} is not the class the symmetry was declared for"
    sizes = {srt.name: srt.size for srt in sym.sorts}
    g = {name: tuple(range(n)) for name, n in sizes.items()}
    for name, image in m.perm:
        if name not in sizes or sorted(image) != list(range(sizes[name])):
            return f"{name}={image} is not a permutation of a declared sort"
        g[name] = tuple(image)
    rename: dict[str, str] = {}
    for srt in sym.sorts:
        for k, unit in enumerate(srt.units):
            rename.update(zip(unit, srt.units[g[srt.name][k]], strict=True))
    for a, b in rename.items():
        if a not in product.index:
            continue  # a channel
        sa, sb = product.specs[product.index[a]], product.specs[product.index[b]]
        if sa.cls is not sb.cls:
            return f"{a} and {b} are of different classes"
        for key, value in sa.params.items():
            slot = f"{sa.cls.__name__}.{key}"
            want = sym.remap(slot, value, g) if slot in sym.slots else value
            if sb.params.get(key) != want:
                return f"{b}'s param {key!r} is not {a}'s renamed"
    try:
        red = Reduction(product, sym)
    except TooLarge as e:
        return str(e)
    if red.image(product.initial, g) != product.initial:
        return "the renaming does not fix the initial state"
    index = {n: i for i, n in enumerate(product.names)}
    names = product.names

    def parts(mask: int, moved: bool) -> set[tuple[tuple[int, str], ...]]:
        out = set()
        for mv, move in enumerate(product.moves):
            if mask >> mv & 1:
                out.add(
                    tuple((index[rename.get(names[i], names[i])], ev) for i, ev in move.parts)
                    if moved
                    else move.parts
                )
        return out

    fa, fb = _fairness(product, rep), _fairness(product, prop)
    groups_a = {(frozenset(parts(m, True)), st) for m, st in fa.groups}
    groups_b = {(frozenset(parts(m, False)), st) for m, st in fb.groups}
    if (
        parts(fa.weak, True) != parts(fb.weak, False)
        or parts(fa.strong, True) != parts(fb.strong, False)
        or groups_a != groups_b
    ):
        return "the renaming does not map the fairness assumptions onto each other"
    return None
