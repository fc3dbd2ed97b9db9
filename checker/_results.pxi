# Results read after the run (part of the compiled core, included by _core.pyx).


cdef int _bits_read(Core self, int32_t* pp, Py_ssize_t m, uint64_t* pm) except -1:
    """For each predicate ``pp[k]``, the bits of the packed words its trie reads."""
    cdef Py_ssize_t k
    cdef int s, nw = self.nw
    memset(pm, 0, m * nw * sizeof(uint64_t))
    for k in range(m):
        for s in range(self.width):
            if self.preads.slot[pp[k] * self.width + s]:
                pm[k * nw + self.word[s]] |= self.mask[s] << self.shift[s]
    return 0


cdef object _add_pred(Core self):
    """:meth:`Core.add_pred`."""
    cdef void* q
    ib_push(&self.roots, MISS)
    ib_push(&self.pkind, 1)
    ib_push(&self.pactive, 0)
    ib_push(&self.pfallback, 0)
    lb_push(&self.phit, -1)
    q = realloc(self.preads.slot, (self.npred + 1) * self.width + 1)
    if q == NULL:
        raise MemoryError()
    self.preads.slot = <unsigned char*>q
    memset(self.preads.slot + self.npred * self.width, 0, self.width)
    self.npred += 1
    return self.npred - 1


cdef object _truths(Core self, list ps):
    """:meth:`Core.truths`."""
    cdef Py_ssize_t i, k, par, m = len(ps)
    cdef int p, w, nw = self.nw, ver = -1
    cdef int32_t code
    cdef bint unpacked
    cdef bytearray out
    cdef int32_t* cur = self.cur
    cdef uint64_t* x
    cdef uint64_t* y
    cdef uint64_t* diff = <uint64_t*>malloc(max(nw, 1) * sizeof(uint64_t))
    cdef uint64_t* pm = <uint64_t*>malloc(max(m * nw, 1) * sizeof(uint64_t))
    cdef int32_t* pp = <int32_t*>malloc(max(m, 1) * sizeof(int32_t))
    cdef unsigned char** o = <unsigned char**>malloc(max(m, 1) * sizeof(unsigned char*))
    try:
        if self.fp:
            raise ValueError("fingerprint mode keeps no state to evaluate predicates on")
        outs = [bytearray(self.count) for _ in range(m)]
        if pp == NULL or o == NULL or diff == NULL or pm == NULL:
            raise MemoryError()
        for k in range(m):
            pp[k] = ps[k]
            out = outs[k]
            o[k] = out
        for i in range(self.count):
            if ver != self.preads.ver:  # a trie read a new slot: the masks of bits again
                _bits_read(self, pp, m, pm)
                ver = self.preads.ver
            par = self.parent.d[i]
            if par >= 0:
                x = _at(self, i)
                y = _at(self, par)
                for w in range(nw):
                    diff[w] = x[w] ^ y[w]
            unpacked = False
            for k in range(m):
                p = pp[k]
                if par >= 0 and not self.pfallback.d[p]:
                    w = 0
                    while w < nw and (diff[w] & pm[k * nw + w]) == 0:
                        w += 1
                    if w == nw:
                        o[k][i] = o[k][par]
                        continue
                if not unpacked:
                    _unpack(self, i, cur)
                    unpacked = True
                if self.pfallback.d[p]:
                    o[k][i] = bool(self.cb.pred_eval(p, _ids(self, cur)))
                    continue
                code = _walk(self, self.roots.d[self.nleaders + p], cur)
                if code == MISS:
                    code = self.cb.pred_miss(p, _ids(self, cur))
                o[k][i] = code == -3
    finally:
        free(pp)
        free(o)
        free(diff)
        free(pm)
    return outs
