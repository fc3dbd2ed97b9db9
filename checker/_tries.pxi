# The tries: walks, nodes, children; the slots each trie reads (part of the compiled core, included by _core.pyx).


# -- tries --------------------------------------------------------------------------------
cdef inline int32_t _walk(Core self, int32_t code, int32_t* ids) noexcept nogil:
    cdef int32_t k, v
    cdef int32_t* nd
    while code >= 0:
        nd = self.node.d + 4 * code
        k = nd[0]
        if k >= 0:
            v = ids[k]
        else:
            v = self.heads[~k].d[ids[~k]]
        if v >= nd[1]:
            return MISS
        code = self.pool.d[nd[2] + v]
    return code


cdef int32_t _new_node(Core self, int32_t k) except -2:
    ib_push(&self.node, k)
    ib_push(&self.node, 0)
    ib_push(&self.node, 0)
    ib_push(&self.node, 0)
    return <int32_t>(self.node.n // 4 - 1)


cdef inline int32_t _child(Core self, int32_t node, int32_t v) noexcept nogil:
    cdef int32_t* nd = self.node.d + 4 * node
    if v >= nd[1]:
        return MISS
    return self.pool.d[nd[2] + v]


cdef int _set_child(Core self, int32_t node, int32_t v, int32_t code) except -1:
    cdef int32_t cap = self.node.d[4 * node + 1], new_cap, base, j
    if v >= cap:
        new_cap = 4
        while new_cap <= v:
            new_cap *= 2
        base = <int32_t>self.pool.n
        ib_reserve(&self.pool, self.pool.n + new_cap)
        for j in range(new_cap):
            self.pool.d[base + j] = self.pool.d[self.node.d[4 * node + 2] + j] if j < cap else MISS
        self.pool.n += new_cap
        self.node.d[4 * node + 2] = base
        self.node.d[4 * node + 1] = new_cap
    self.pool.d[self.node.d[4 * node + 2] + v] = code
    return 0


cdef int32_t _key_value(Core self, int32_t k, list ids) except -2:
    if k >= 0:
        return ids[k]
    return self.heads[~k].d[<int32_t>ids[~k]]


cdef int _reads(Core self, Readers* r, int row, int slot) except -1:
    """Row ``row``'s trie reads ``slot`` (the entries' masks are stale if that is new)."""
    if not r.slot[row * self.width + slot]:
        r.slot[row * self.width + slot] = 1
        r.ver += 1
    return 0


cdef uint64_t* _touched(Core self, Readers* r, int32_t e) except NULL:
    """The rows (a bit each) of ``r`` that entry ``e``'s move may change: those reading a
    slot it writes or a channel it operates on."""
    cdef Py_ssize_t c, cap
    cdef int row, w, nw = r.nw
    cdef uint64_t* m
    cdef void* q
    if e >= r.mcap:
        cap = max(self.emove.n, e + 1, 64)
        q = realloc(r.mask, cap * max(nw, 1) * sizeof(uint64_t))
        if q == NULL:
            raise MemoryError()
        r.mask = <uint64_t*>q
        q = realloc(r.mver, cap * sizeof(int32_t))
        if q == NULL:
            raise MemoryError()
        r.mver = <int32_t*>q
        for c in range(r.mcap, cap):
            r.mver[c] = -1
        r.mcap = cap
    m = r.mask + e * nw
    if r.mver[e] != r.ver:
        memset(m, 0, nw * sizeof(uint64_t))
        for row in range(r.rows):
            for w in range(self.wstart.d[e], self.wend.d[e]):
                if r.slot[row * self.width + self.wslot.d[w]]:
                    m[row >> 6] |= (<uint64_t>1) << (row & 63)
            for c in range(self.cstart.d[e], self.cend.d[e]):
                if r.slot[row * self.width + self.cslot.d[c]]:
                    m[row >> 6] |= (<uint64_t>1) << (row & 63)
        r.mver[e] = r.ver
    return m


cdef object _install(Core self, int root, list keys, list ids, int leaf):
    """:meth:`Core.install`."""
    cdef int32_t code = self.roots.d[root], child, v
    cdef Py_ssize_t n, last = len(keys) - 1
    for v in keys:
        if root >= self.nleaders:
            _reads(self, &self.preads, root - self.nleaders, v if v >= 0 else ~v)
        else:
            _reads(self, &self.lreads, root, v if v >= 0 else ~v)
    if last < 0:
        self.roots.d[root] = leaf
        return
    if code == MISS:
        code = _new_node(self, keys[0])
        self.roots.d[root] = code
    elif code < 0 or self.node.d[4 * code] != keys[0]:
        raise AssertionError("the compiled trie disagrees with the Python one")
    for n in range(last + 1):
        v = _key_value(self, keys[n], ids)
        if n == last:
            _set_child(self, code, v, leaf)
            return
        child = _child(self, code, v)
        if child == MISS:
            child = _new_node(self, keys[n + 1])
            _set_child(self, code, v, child)
        elif child < 0 or self.node.d[4 * child] != keys[n + 1]:
            raise AssertionError("the compiled trie disagrees with the Python one")
        code = child


cdef object _add_leaf(Core self, list entries):
    """:meth:`Core.add_leaf`."""
    cdef Py_ssize_t first = self.emove.n
    ib_push(&self.lstart, <int32_t>first)
    for m, writes, chans in entries:
        ib_push(&self.emove, m)
        ib_push(&self.wstart, <int32_t>self.wslot.n)
        for slot, val in writes:
            ib_push(&self.wslot, slot)
            ib_push(&self.wval, val)
        ib_push(&self.wend, <int32_t>self.wslot.n)
        ib_push(&self.cstart, <int32_t>self.cslot.n)
        for slot, t in chans:
            ib_push(&self.cslot, slot)
            ib_push(&self.ctab, t)
        ib_push(&self.cend, <int32_t>self.cslot.n)
    ib_push(&self.lend, <int32_t>self.emove.n)
    return -2 - (self.lstart.n - 1), first
