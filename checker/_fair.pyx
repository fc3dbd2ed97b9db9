# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Liveness's graph work in C, over the explored edges as arrays (:mod:`checker.fair_arrays`).

Why compiled: on a million states the Python sets and dicts of :mod:`checker.liveness` cost
more than the compiled exploration itself (rows of the edge index, Tarjan's SCCs, the fair
components' Emerson-Lei refinement). Here the same algorithms run over flat arrays: ``start``
(int64, ``n + 1`` row offsets), ``dst`` and ``move`` (int32, one per edge), and one byte per
state for each set of states. Nothing here evaluates the model; the meaning of every function
is that of its namesake in :mod:`checker.liveness`, :mod:`checker.fair_cycles` or
:mod:`checker.edge_graph`, which stay the reference.

Fairness arrives as *constraints*: bit ``c`` of a ``kw``-word bit set. Row ``m`` of ``cons``
(``kw`` words) holds the constraints that move ``m`` belongs to (its own, if it is a single
weakly or strongly fair move, and those of its groups); ``weak`` and ``strong`` say which
constraints are of which kind. A constraint is enabled in a state when an edge of one of its
moves leaves the state (a self-loop does not count), and taken in a component when such an
edge stays inside it.
"""

from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

from array import array


def row_starts(Py_ssize_t n, const int32_t[::1] src):
    """Row offsets of edges listed in source order: state ``s``'s edges are
    ``start[s]:start[s + 1]``. ValueError when ``src`` is not ascending or out of range."""
    out = array("q", bytes(8 * (n + 1)))
    cdef int64_t[::1] start = out
    cdef Py_ssize_t k, m = src.shape[0]
    cdef int32_t s, prev = 0
    for k in range(m):
        s = src[k]
        if s < prev or s >= n:
            raise ValueError("edges are not in ascending source order")
        prev = s
        start[s + 1] += 1
    for k in range(n):
        start[k + 1] += start[k]
    return out


cdef Py_ssize_t queue_all(const uint8_t[::1] mask, uint8_t[::1] seen, int32_t* queue):
    """Mark and queue the states set in ``mask``; how many."""
    cdef Py_ssize_t s, tail = 0
    for s in range(mask.shape[0]):
        if mask[s]:
            seen[s] = 1
            queue[tail] = <int32_t>s
            tail += 1
    return tail


cdef void bfs(const int64_t* start, const int32_t* adj, const uint8_t* allowed,
              uint8_t[::1] seen, int32_t* queue, Py_ssize_t tail) noexcept:
    """Breadth first along rows ``start``/``adj`` from the ``tail`` states queued, marking in
    ``seen`` every state reached (through states set in ``allowed``, unless it is NULL)."""
    cdef Py_ssize_t head = 0
    cdef int64_t k
    cdef int32_t v, w
    while head < tail:
        v = queue[head]
        head += 1
        for k in range(start[v], start[v + 1]):
            w = adj[k]
            if (allowed == NULL or allowed[w]) and not seen[w]:
                seen[w] = 1
                queue[tail] = w
                tail += 1


def reach(const int64_t[::1] start, const int32_t[::1] dst, const uint8_t[::1] sources,
          const uint8_t[::1] allowed):
    """The states reachable from a source through allowed states, sources included (one byte
    per state): :func:`checker.edge_graph._reach`."""
    cdef Py_ssize_t n = start.shape[0] - 1
    out = bytearray(n)
    cdef uint8_t[::1] seen = out
    cdef int32_t* queue = <int32_t*>malloc(max(n, 1) * sizeof(int32_t))
    if queue == NULL:
        raise MemoryError()
    bfs(&start[0], &dst[0] if dst.shape[0] else NULL, &allowed[0] if n else NULL, seen, queue,
        queue_all(sources, seen, queue))
    free(queue)
    return out


def can_reach(const int64_t[::1] start, const int32_t[::1] dst, const uint8_t[::1] region,
              const uint8_t[::1] targets):
    """The states of ``region`` from which a target is reachable inside ``region``, targets
    included (one byte per state): :func:`checker.edge_graph._can_reach`."""
    cdef Py_ssize_t n = start.shape[0] - 1, s
    cdef int64_t k
    cdef int32_t w
    out = bytearray(n)
    cdef uint8_t[::1] seen = out
    cdef int64_t* rstart = <int64_t*>malloc((n + 1) * sizeof(int64_t))
    cdef int32_t* queue = <int32_t*>malloc(max(n, 1) * sizeof(int32_t))
    cdef int32_t* rsrc = NULL
    if rstart == NULL or queue == NULL:
        free(rstart)
        free(queue)
        raise MemoryError()
    memset(rstart, 0, (n + 1) * sizeof(int64_t))
    for s in range(n):  # the reversed edges inside the region, in rows by target
        if region[s]:
            for k in range(start[s], start[s + 1]):
                if region[dst[k]]:
                    rstart[dst[k] + 1] += 1
    for s in range(n):
        rstart[s + 1] += rstart[s]
    rsrc = <int32_t*>malloc(max(rstart[n], 1) * sizeof(int32_t))
    if rsrc == NULL:
        free(rstart)
        free(queue)
        raise MemoryError()
    for s in range(n):
        if region[s]:
            for k in range(start[s], start[s + 1]):
                w = dst[k]
                if region[w]:
                    rsrc[rstart[w]] = <int32_t>s
                    rstart[w] += 1
    for s in range(n, 0, -1):  # the filling moved each row's start to the next row's
        rstart[s] = rstart[s - 1]
    rstart[0] = 0
    bfs(rstart, rsrc, NULL, seen, queue, queue_all(targets, seen, queue))
    free(rsrc)
    free(rstart)
    free(queue)
    return out


def stuck(const int64_t[::1] start, const int32_t[::1] dst, const int32_t[::1] move,
          const uint8_t[::1] region, const uint8_t[::1] fair_move):
    """States of ``region`` where no fair move is enabled (``fair_move[m]``: move ``m`` is
    fair), states without any edge included: the candidates of
    :func:`checker.liveness._stuck`, which alone knows what an edgeless state means."""
    cdef Py_ssize_t n = start.shape[0] - 1, s
    cdef int64_t k
    cdef bint any_fair
    out = array("i")
    for s in range(n):
        if not region[s]:
            continue
        any_fair = False
        for k in range(start[s], start[s + 1]):
            if dst[k] != s and fair_move[move[k]]:
                any_fair = True
                break
        if not any_fair:
            out.append(s)
    return out


# -- Tarjan's SCCs and the fair components ----------------------------------------------------

cdef struct Work:
    # the graph
    Py_ssize_t n
    const int64_t* start
    const int32_t* dst
    # membership: a state belongs to the subgraph at hand when lab[s] is its label
    int32_t* lab
    # Tarjan: index (-1: not visited), low link, the SCC stack, the DFS stack of edge cursors
    int32_t* idx
    int32_t* low
    uint8_t* on
    int32_t* stk
    int32_t* wv
    int64_t* wk
    # components found, each a range [ta, tb) of buf
    int32_t* buf
    int32_t* ta
    int32_t* tb
    Py_ssize_t ncomp


cdef int work_alloc(Work* x, Py_ssize_t n) except -1:
    cdef Py_ssize_t m = max(n, 1)
    memset(x, 0, sizeof(Work))
    x.n = n
    x.lab = <int32_t*>malloc(m * sizeof(int32_t))
    x.idx = <int32_t*>malloc(m * sizeof(int32_t))
    x.low = <int32_t*>malloc(m * sizeof(int32_t))
    x.on = <uint8_t*>malloc(m * sizeof(uint8_t))
    x.stk = <int32_t*>malloc(m * sizeof(int32_t))
    x.wv = <int32_t*>malloc(m * sizeof(int32_t))
    x.wk = <int64_t*>malloc(m * sizeof(int64_t))
    x.buf = <int32_t*>malloc(m * sizeof(int32_t))
    x.ta = <int32_t*>malloc(m * sizeof(int32_t))
    x.tb = <int32_t*>malloc(m * sizeof(int32_t))
    if not (x.lab and x.idx and x.low and x.on and x.stk and x.wv and x.wk and x.buf and x.ta
            and x.tb):
        work_free(x)
        raise MemoryError()
    memset(x.lab, 0xFF, m * sizeof(int32_t))
    memset(x.idx, 0xFF, m * sizeof(int32_t))
    memset(x.on, 0, m * sizeof(uint8_t))
    return 0


cdef void work_free(Work* x) noexcept:
    free(x.lab)
    free(x.idx)
    free(x.low)
    free(x.on)
    free(x.stk)
    free(x.wv)
    free(x.wk)
    free(x.buf)
    free(x.ta)
    free(x.tb)
    memset(x, 0, sizeof(Work))


cdef inline bint self_loop(Work* x, int32_t s) noexcept nogil:
    cdef int64_t k
    for k in range(x.start[s], x.start[s + 1]):
        if x.dst[k] == s:
            return True
    return False


cdef Py_ssize_t tarjan(Work* x, const int32_t* nodes, Py_ssize_t cnt, int32_t label,
                       Py_ssize_t pos, bint cycles_only) noexcept nogil:
    """Tarjan's SCCs of the subgraph on the states labelled ``label``, from the roots
    ``nodes`` in order (all of them so labelled; ``nodes`` must not overlap ``buf[pos:]``).
    Each SCC goes to ``buf`` from ``pos`` on and its range onto the component list; with
    ``cycles_only`` an SCC no cycle runs through (one state, no self-loop) is left out.
    Iterative: the DFS keeps an explicit stack of (state, next edge). Returns the new end."""
    cdef Py_ssize_t r, sp = 0, wp, first
    cdef int32_t counter = 0, root, v, w, u
    cdef int64_t k, end
    cdef bint down
    for r in range(cnt):
        root = nodes[r]
        if x.idx[root] >= 0:
            continue
        x.idx[root] = counter
        x.low[root] = counter
        counter += 1
        x.stk[sp] = root
        sp += 1
        x.on[root] = 1
        x.wv[0] = root
        x.wk[0] = x.start[root]
        wp = 1
        while wp > 0:
            v = x.wv[wp - 1]
            k = x.wk[wp - 1]
            end = x.start[v + 1]
            down = False
            while k < end:
                w = x.dst[k]
                k += 1
                if x.lab[w] != label:
                    continue
                if x.idx[w] < 0:
                    x.wk[wp - 1] = k
                    x.idx[w] = counter
                    x.low[w] = counter
                    counter += 1
                    x.stk[sp] = w
                    sp += 1
                    x.on[w] = 1
                    x.wv[wp] = w
                    x.wk[wp] = x.start[w]
                    wp += 1
                    down = True
                    break
                if x.on[w] and x.idx[w] < x.low[v]:
                    x.low[v] = x.idx[w]
            if down:
                continue
            wp -= 1
            if wp > 0:
                u = x.wv[wp - 1]
                if x.low[v] < x.low[u]:
                    x.low[u] = x.low[v]
            if x.low[v] == x.idx[v]:
                first = pos
                while True:
                    sp -= 1
                    w = x.stk[sp]
                    x.on[w] = 0
                    x.buf[pos] = w
                    pos += 1
                    if w == v:
                        break
                if cycles_only and pos - first == 1 and not self_loop(x, v):
                    pos = first
                else:
                    x.ta[x.ncomp] = <int32_t>first
                    x.tb[x.ncomp] = <int32_t>pos
                    x.ncomp += 1
    for r in range(cnt):
        x.idx[nodes[r]] = -1
    return pos


cdef Py_ssize_t members(const uint8_t[::1] mask, int32_t* out, int32_t* lab,
                        int32_t label) noexcept nogil:
    """The states set in ``mask``, ascending, into ``out``, each labelled ``label``."""
    cdef Py_ssize_t s, c = 0
    for s in range(mask.shape[0]):
        if mask[s]:
            out[c] = <int32_t>s
            lab[s] = label
            c += 1
    return c


def strongly_connected(const int64_t[::1] start, const int32_t[::1] dst,
                       const uint8_t[::1] inside):
    """Every SCC (trivial ones included) of the subgraph on the states set in ``inside``, as
    lists of states: :func:`checker.edge_graph.strongly_connected`."""
    cdef Work x
    cdef Py_ssize_t n = start.shape[0] - 1, cnt, c
    cdef int32_t* nodes = <int32_t*>malloc(max(n, 1) * sizeof(int32_t))
    if nodes == NULL:
        raise MemoryError()
    try:
        work_alloc(&x, n)
        x.start = &start[0]
        x.dst = &dst[0] if dst.shape[0] else NULL
        cnt = members(inside, nodes, x.lab, 0)
        tarjan(&x, nodes, cnt, 0, 0, False)
        return [[x.buf[k] for k in range(x.ta[c], x.tb[c])] for c in range(x.ncomp)]
    finally:
        free(nodes)
        work_free(&x)


cdef inline void enabled_in(Work* x, const int32_t* move, const uint64_t* cons, int kw,
                            int32_t s, int32_t label, uint64_t* en, uint64_t* taken
                            ) noexcept nogil:
    """The constraints enabled in ``s`` into ``en``; those its edges take inside the
    component labelled ``label`` or-ed into ``taken`` (when ``taken`` is not NULL)."""
    cdef int64_t k
    cdef int32_t w
    cdef int j
    cdef const uint64_t* row
    for j in range(kw):
        en[j] = 0
    for k in range(x.start[s], x.start[s + 1]):
        w = x.dst[k]
        if w == s:
            continue
        row = cons + <Py_ssize_t>move[k] * kw
        for j in range(kw):
            en[j] |= row[j]
        if taken != NULL and x.lab[w] == label:
            for j in range(kw):
                taken[j] |= row[j]


def fair_components(const int64_t[::1] start, const int32_t[::1] dst, const int32_t[::1] move,
                    const uint8_t[::1] region, const uint64_t[::1] cons, int kw,
                    const uint64_t[::1] weak, const uint64_t[::1] strong):
    """The SCCs of ``region`` a cycle can traverse fairly: :func:`checker.fair_cycles.
    fair_components`. Returns ``(comp_of, count)``: ``comp_of[s]`` numbers the fair component
    of state ``s`` (-1: none)."""
    cdef Work x
    cdef Py_ssize_t n = start.shape[0] - 1, cnt, a, b, i, r, t, found = 0
    cdef int32_t label = 0, s
    cdef int j
    cdef bint drop, starve
    cdef int32_t* rest = <int32_t*>malloc(max(n, 1) * sizeof(int32_t))
    cdef uint64_t* bits = <uint64_t*>malloc(5 * kw * sizeof(uint64_t))
    cdef uint64_t* en
    cdef uint64_t* taken
    cdef uint64_t* some
    cdef uint64_t* every
    cdef uint64_t* starved
    out = array("i", bytes(4 * n))
    cdef int32_t[::1] comp_of = out
    if rest == NULL or bits == NULL:
        free(rest)
        free(bits)
        raise MemoryError()
    en, taken, some, every, starved = bits, bits + kw, bits + 2 * kw, bits + 3 * kw, bits + 4 * kw
    try:
        work_alloc(&x, n)
        x.start = &start[0]
        x.dst = &dst[0] if dst.shape[0] else NULL
        with nogil:  # (other properties' searches may run meanwhile: --workers)
            for i in range(n):
                comp_of[i] = -1
            cnt = members(region, rest, x.lab, 0)
            tarjan(&x, rest, cnt, 0, 0, True)
            while x.ncomp:  # the components still to judge: a stack, as liveness's todo list
                x.ncomp -= 1
                a, b = x.ta[x.ncomp], x.tb[x.ncomp]
                label += 1
                for i in range(a, b):
                    x.lab[x.buf[i]] = label
                for j in range(kw):
                    taken[j] = some[j] = starved[j] = 0
                    every[j] = ~(<uint64_t>0)
                for i in range(a, b):
                    enabled_in(&x, &move[0], &cons[0], kw, x.buf[i], label, en, taken)
                    for j in range(kw):
                        some[j] |= en[j]
                        every[j] &= en[j]
                drop = starve = False
                for j in range(kw):
                    if weak[j] & every[j] & ~taken[j]:
                        drop = True  # a weak constraint enabled throughout, never taken
                    starved[j] = strong[j] & some[j] & ~taken[j]
                    if starved[j]:
                        starve = True
                if drop:
                    continue
                if starve:  # drop the states where a starved strong constraint is enabled
                    r = 0
                    for i in range(a, b):
                        s = x.buf[i]
                        enabled_in(&x, &move[0], &cons[0], kw, s, label, en, NULL)
                        for j in range(kw):
                            if en[j] & starved[j]:
                                break
                        else:
                            rest[r] = s
                            r += 1
                    label += 1
                    for i in range(r):
                        x.lab[rest[i]] = label
                    tarjan(&x, rest, r, label, a, True)
                    continue
                for i in range(a, b):
                    comp_of[x.buf[i]] = <int32_t>found
                found += 1
        return out, found
    finally:
        free(rest)
        free(bits)
        work_free(&x)
