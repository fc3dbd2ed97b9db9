# Staged expansion: a batch's successors built before they are looked up (part of the compiled core, included by _core.pyx).


cdef Py_ssize_t _stage_ro(Core self, Batch* b, Py_ssize_t k, Py_ssize_t n) noexcept nogil:
    """Stage state ``k``'s successors into ``b`` from record ``n`` on, reading the tables
    only (a worker thread may run it): the next free record; -2 at the first miss
    (``b.mkind`` says which), -3 without memory. With symmetry each successor is staged
    as its orbit's least image, as ``_find_canon`` finds it (a stored representative is
    its own least image)."""
    cdef int li, w, c, nw = self.nw
    cdef int32_t code, L, new, sl
    cdef Py_ssize_t e, hits, at
    cdef int32_t* cur = b.cur
    cdef uint64_t* key
    cdef int32_t* row = NULL
    _unpack(self, k, cur)
    if self.lv:
        row = self.lrows + (k - self.lbase) * self.nleaders
    for li in range(self.nleaders):
        code = MISS if row == NULL else row[li]
        if code == MISS:
            code = _walk(self, self.roots.d[li], cur)
            if code == MISS:
                b.mkind, b.mrow = 1, li
                return -2
            if row != NULL:
                row[li] = code
        L = -2 - code
        for e in range(self.lstart.d[L], self.lend.d[L]):
            if batch_room(b, n + 1, nw) < 0:
                return -3
            key = b.keys + n * nw
            b.ent[n] = <int32_t>e
            if self.sym:  # built as slot numbers, to be canonicalised (below)
                memcpy(b.ids, cur, self.width * sizeof(int32_t))
                for w in range(self.wstart.d[e], self.wend.d[e]):
                    b.ids[self.wslot.d[w]] = self.wval.d[w]
            else:
                memcpy(key, _at(self, k), nw * sizeof(uint64_t))
                for w in range(self.wstart.d[e], self.wend.d[e]):
                    _put(self, key, self.wslot.d[w], self.wval.d[w])
            for c in range(self.cstart.d[e], self.cend.d[e]):
                sl = self.cslot.d[c]
                new = _child(self, self.ctab.d[c], cur[sl])
                if new == MISS:
                    b.mkind, b.mrow, b.mval = 2, self.ctab.d[c], cur[sl]
                    return -2
                if new == -2:
                    b.ent[n] = -2 - <int32_t>e  # the step overflows a channel
                    break
                if self.sym:
                    b.ids[sl] = new
                else:
                    _put(self, key, sl, new)
            if self.sym and b.ent[n] >= 0:
                hits = _least(self, b.ids, b.best, &at)
                if hits < 0:
                    b.mkind = 3
                    return -2
                _pack(self, b.best, key)
                b.size[n] = <int32_t>((self.ngroup + 1) // hits)
            b.hash[n] = _hash(self, key)
            n += 1
    return n


cdef Py_ssize_t _stage_one(Core self, Batch* b, Py_ssize_t k, Py_ssize_t n) except -3:
    """:meth:`_stage_ro`, each miss answered by Python as it is met (then the state is
    staged again: the answers come in the one-state loop's order); -1 when an answer
    re-packed the states (everything staged is stale). With symmetry nothing may ask
    Python (the renamings number values in ``_expand``'s order): -2 at the first miss."""
    cdef Py_ssize_t r
    cdef int rp = self.repacks
    while True:
        r = _stage_ro(self, b, k, n)
        if r >= 0:
            return r
        if r == -3:
            raise MemoryError()
        if self.sym:
            return -2
        if b.mkind == 1:
            self.cb.succ_miss(b.mrow, _ids(self, b.cur))
        else:
            _set_child(self, b.mrow, b.mval, self.cb.fill(b.mrow, b.mval))
        _after_miss(self)
        if self.repacks != rp:
            return -1


cdef int _stage(Core self, Batch* b, Py_ssize_t lo, Py_ssize_t hi) except -1:
    """Stage the successors of states ``lo`` to ``hi`` into ``b`` (up to STAGE_STATES;
    with symmetry the batch ends before a state that needs Python, ``b.left``)."""
    cdef Py_ssize_t k = lo, r, n = 0
    b.left = -1
    b.probed = False
    while k < hi:
        b.first[k - lo] = n
        r = _stage_one(self, b, k, n)
        if r == -1:  # a re-pack: build the batch again (its misses are answered now)
            k, n = lo, 0
            continue
        if r == -2:  # symmetry: Python must answer: the batch ends here
            b.left = k
            break
        n = r
        k += 1
    b.first[k - lo] = n
    b.lo, b.hi, b.repacks = lo, k, self.repacks
    return 0


cdef int _expand_staged(Core self, Py_ssize_t i, bint want_deadlock, bint keep_edges) except -1:
    """:meth:`_expand` of state ``i`` from the staged batch (staging it first if needed)."""
    cdef Batch* b = &self.sb
    if i == b.left:  # symmetry, and Python has to answer: the one-state loop
        b.left = -1  # (its answers may re-pack: stage afresh after it)
        b.hi = b.lo
        return _expand(self, i, want_deadlock, keep_edges)
    if not (b.lo <= i < b.hi) or b.repacks != self.repacks:
        _stage(self, b, i, min(self.count, i + STAGE_STATES))
        if i == b.left:
            return _expand_staged(self, i, want_deadlock, keep_edges)
    return _take(self, i, b, want_deadlock, keep_edges)


cdef int _take(Core self, Py_ssize_t i, Batch* b, bint want_deadlock, bint keep_edges) except -1:
    """Store state ``i``'s staged successors in order (a worker's look-ups taken as found;
    the table cell of the look-up STAGE_AHEAD records on, and the stored state of the one
    half as far, fetched ahead)."""
    cdef Py_ssize_t r, end, ahead, last, j, m
    cdef int32_t e
    cdef int nw = b.nw
    cdef bint any_succ = False, fresh
    r = b.first[i - b.lo]
    end = b.first[i - b.lo + 1]
    last = b.first[b.hi - b.lo]
    while r < end:
        m = self.tcap - 1
        ahead = r + STAGE_AHEAD
        if ahead < last:
            prefetch(&self.table[b.hash[ahead] & m])
        ahead = r + STAGE_AHEAD // 2
        if ahead < last:
            j = self.table[b.hash[ahead] & m]
            if j >= 0:
                prefetch(self.words + j * nw)
        e = b.ent[r]
        if e < 0:
            _overflow(self, i, -2 - e)
            r += 1
            continue
        any_succ = True
        self.transitions += 1
        if b.probed and b.found[r] >= 0:
            j = b.found[r]
            fresh = False
        else:
            j = _find_or_add_h(self, b.keys + r * nw, b.hash[r], &fresh)
        if fresh and self.sym:
            self.concrete += b.size[r]
        _arrive(self, i, j, e, fresh, keep_edges, NULL)
        r += 1
        if b.repacks != self.repacks:
            # only a new value re-packs, and only successors and symmetry number values;
            # a property's answer never does, so the staged keys stay valid here
            raise AssertionError("the states were re-packed while a state was looked up")
    _dead_end(self, i, any_succ, want_deadlock)
    return 0
