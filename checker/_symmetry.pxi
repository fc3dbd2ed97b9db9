# Symmetry: the least image of a state under the group (part of the compiled core, included by _core.pyx).


cdef inline int32_t _image(Core self, int32_t* ids, Py_ssize_t g, int s,
                           Py_ssize_t* miss) noexcept nogil:
    """Slot ``s`` of element ``g``'s image of ``ids`` (MISS: its rename table has no
    answer yet; ``miss`` is then the element's cell)."""
    cdef Py_ssize_t at = g * self.width + s
    cdef int32_t v = ids[self.gsrc[at]]
    cdef int32_t t = self.gren[at]
    cdef int32_t new
    if t < 0:
        return v
    new = _child(self, t, v)
    if new == MISS:
        miss[0] = at
    return new


cdef Py_ssize_t _least(Core self, int32_t* ids, int32_t* best, Py_ssize_t* miss) noexcept nogil:
    """``best``: the least image of ``ids``; returns how many elements give it (the
    stabiliser's size, so the orbit has ``order / that`` states), or -1 at the first
    rename-table miss (``miss``: where). An image is built slot by slot only while it
    ties with the least so far. Reads the tables only: a worker thread may run it."""
    cdef int g, s, W = self.width
    cdef Py_ssize_t hits = 1
    cdef int32_t v = 0
    memcpy(best, ids, W * sizeof(int32_t))
    for g in range(self.ngroup):
        s = 0
        while s < W:
            v = _image(self, ids, g, s, miss)
            if v == MISS:
                return -1
            if v != best[s]:
                break
            s += 1
        if s == W:
            hits += 1
        elif v < best[s]:
            best[s] = v
            for s in range(s + 1, W):
                best[s] = _image(self, ids, g, s, miss)
                if best[s] == MISS:
                    return -1
            hits = 1
    return hits


cdef Py_ssize_t _canon(Core self, int32_t* ids) except -1:
    """:meth:`_least` into ``best``, each miss answered by ``cb.rename`` (then the search
    starts again: the misses are met, and answered, in the order of one search)."""
    cdef Py_ssize_t hits, at
    cdef int32_t t, v
    while True:
        hits = _least(self, ids, self.best, &at)
        if hits > 0:
            return hits
        t = self.gren[at]
        v = ids[self.gsrc[at]]
        _set_child(self, t, v, self.cb.rename(t, v))


cdef Py_ssize_t _find_canon(Core self, uint64_t* key, bint* fresh) except -2:
    """:meth:`_find_or_add` for successor ``key``: as stored if it is a stored
    representative, else its orbit's representative (counting the orbit's states when
    new). ``key`` is overwritten."""
    cdef Py_ssize_t h, size
    cdef Py_ssize_t j = -1 if self.fp else _probe(self, key, &h)
    if j >= 0:
        fresh[0] = False
        return j
    _unpack_key(self, key, self.nxt)
    size = (self.ngroup + 1) // _canon(self, self.nxt)
    _after_miss(self)
    _pack(self, self.best, key)
    j = _find_or_add(self, key, fresh)
    if fresh[0]:
        self.concrete += size
    return j

# -- fingerprints -------------------------------------------------------------------------
# TLC's way past memory: the visited set keeps a 64-bit fingerprint of each state instead of
# its packed words; only the states not yet expanded (ids >= ``base``: the rest of the
# current level and the next one) keep their words. Ids are 64-bit (parents too, past
# 2**31 states: ``parent64``); the moves stay, so Python rebuilds any state by replaying them from the root. Two states with
# one fingerprint count as one: the caller reports the chance of that. The fingerprint hashes
# the slot value numbers, not the packed words, because a re-pack changes the words of a
# state but never its numbers.


cdef object _share(Core self, list pool_of):
    """:meth:`Core.share`."""
    cdef int s, r
    for s in range(self.width):
        r = pool_of[s]
        if r == s:
            continue
        self.ids[s] = self.ids[r]
        self.values[s] = self.values[r]
        if self.head_ids[s] is not None:
            self.head_ids[s] = self.head_ids[r]
        self.members[r].append(s)
        self.members[s] = self.members[r]


cdef object _set_group(Core self, list sources, list renamed, bint gate):
    """:meth:`Core.set_group`."""
    cdef int g, s, W = self.width
    cdef Py_ssize_t n = max(1, len(sources) * W)
    self.ngroup = len(sources)
    self.gsrc = <int32_t*>malloc(n * sizeof(int32_t))
    self.gren = <int32_t*>malloc(n * sizeof(int32_t))
    self.best = <int32_t*>malloc(W * sizeof(int32_t))
    if not (self.gsrc and self.gren and self.best):
        raise MemoryError()
    out = []
    for g in range(self.ngroup):
        tables = []
        for s in range(W):
            self.gsrc[g * W + s] = sources[g][s]
            self.gren[g * W + s] = MISS
        for s in renamed:
            self.gren[g * W + s] = _new_node(self, 0)
            tables.append(self.gren[g * W + s])
        out.append(tables)
    self.sym = True
    self.gating = gate
    return out


cdef object _least_image(Core self, list ids):
    """:meth:`Core.least_image`."""
    cdef int s
    cdef int32_t* tmp = <int32_t*>malloc(max(self.width, 1) * sizeof(int32_t))
    if tmp == NULL:
        raise MemoryError()
    try:
        for s in range(self.width):
            tmp[s] = ids[s]
        _canon(self, tmp)
        return _ids(self, self.best)
    finally:
        free(tmp)
