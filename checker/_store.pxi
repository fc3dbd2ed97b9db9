# Packed states and the exact visited set (part of the compiled core, included by _core.pyx).


# -- interning and packing ----------------------------------------------------------------
cdef void _layout(Core self) noexcept:
    """Place every slot in a word (no slot straddles two words)."""
    cdef int s, w = 0, used = 0, b
    for s in range(self.width):
        b = self.bw[s]
        if used + b > 64:
            w += 1
            used = 0
        self.word[s] = w
        self.shift[s] = used
        self.mask[s] = ((<uint64_t>1) << b) - 1 if b < 64 else <uint64_t>0xFFFFFFFFFFFFFFFF
        used += b
    self.nw = w + 1


cdef inline uint64_t* _at(Core self, Py_ssize_t i) noexcept nogil:
    """State ``i``'s packed words (fingerprint mode keeps those of ids ``>= base``)."""
    return self.words + (i - self.base) * self.nw


cdef inline void _unpack(Core self, Py_ssize_t i, int32_t* out) noexcept nogil:
    _unpack_key(self, _at(self, i), out)


cdef inline void _unpack_key(Core self, uint64_t* w, int32_t* out) noexcept nogil:
    cdef int s
    for s in range(self.width):
        out[s] = <int32_t>((w[self.word[s]] >> self.shift[s]) & self.mask[s])


cdef inline void _pack(Core self, int32_t* ids, uint64_t* out) noexcept nogil:
    # slots fill the words in order (``_layout``): each word is built in a register and
    # stored once (or-ing into memory slot by slot waited on the store before each or)
    cdef int s, w = 0
    cdef uint64_t acc = 0
    for s in range(self.width):
        if self.word[s] != w:
            out[w] = acc
            acc = 0
            w = self.word[s]
        acc |= (<uint64_t>ids[s]) << self.shift[s]
    out[w] = acc


cdef inline void _put(Core self, uint64_t* k, int32_t s, int32_t v) noexcept nogil:
    cdef int32_t w = self.word[s]
    k[w] = (k[w] & ~(self.mask[s] << self.shift[s])) | ((<uint64_t>v) << self.shift[s])


cdef inline uint64_t _hash(Core self, uint64_t* k) noexcept nogil:
    cdef uint64_t h = <uint64_t>0x9E3779B97F4A7C15
    cdef int j
    for j in range(self.nw):
        h = mix(h ^ k[j]) + j
    return h


cdef int _rehash(Core self, Py_ssize_t cap) except -1:
    cdef int32_t* t = <int32_t*>malloc(cap * sizeof(int32_t))
    cdef Py_ssize_t i, h, m = cap - 1
    if t == NULL:
        raise MemoryError()
    memset(t, 0xFF, cap * sizeof(int32_t))
    for i in range(self.count):
        if i + 16 < self.count:  # the cell of a state further on, fetched ahead
            prefetch(&t[_hash(self, self.words + (i + 16) * self.nw) & m])
        h = _hash(self, self.words + i * self.nw) & m
        while t[h] >= 0:
            h = (h + 1) & m
        t[h] = <int32_t>i
    free(self.table)
    self.table = t
    self.tcap = cap
    return 0


cdef int _repack(Core self) except -1:
    """Widen the slots that outgrew their bits and re-pack every stored state."""
    cdef int s, old_nw = self.nw
    cdef Py_ssize_t i
    cdef uint64_t* fresh
    cdef int32_t* tmp = <int32_t*>malloc(self.width * sizeof(int32_t))
    cdef int32_t* oword = <int32_t*>malloc(self.width * sizeof(int32_t))
    cdef int32_t* oshift = <int32_t*>malloc(self.width * sizeof(int32_t))
    cdef uint64_t* omask = <uint64_t*>malloc(self.width * sizeof(uint64_t))
    if not (tmp and oword and oshift and omask):
        raise MemoryError()
    memcpy(oword, self.word, self.width * sizeof(int32_t))
    memcpy(oshift, self.shift, self.width * sizeof(int32_t))
    memcpy(omask, self.mask, self.width * sizeof(uint64_t))
    for s in range(self.width):
        if self.nvals[s] > (1 << self.bw[s]):
            self.bw[s] = bit_length(self.nvals[s] - 1) + 1  # room to double
            if self.bw[s] > 31:
                raise OverflowError("a slot holds more than 2**31 distinct values")
    _layout(self)
    self.wcap = max(self.count - self.base, 16)
    fresh = <uint64_t*>malloc(self.wcap * self.nw * sizeof(uint64_t))
    if fresh == NULL:
        raise MemoryError()
    for i in range(self.count - self.base):
        for s in range(self.width):
            tmp[s] = <int32_t>((self.words[i * old_nw + oword[s]] >> oshift[s]) & omask[s])
        _pack(self, tmp, fresh + i * self.nw)
    free(self.words)
    self.words = fresh
    free(tmp)
    free(oword)
    free(oshift)
    free(omask)
    if not self.fp:  # fingerprints hash value numbers, which a re-pack leaves alone
        _rehash(self, self.tcap)
    self.need_repack = False
    self.repacks += 1
    return 0


cdef inline Py_ssize_t _probe(Core self, uint64_t* k, Py_ssize_t* where) noexcept nogil:
    """The number of state ``k`` (-1: not stored; ``where`` is then its free cell)."""
    return _probe_h(self, k, _hash(self, k), where)


cdef inline Py_ssize_t _probe_h(Core self, uint64_t* k, uint64_t hash,
                                Py_ssize_t* where) noexcept nogil:
    """:meth:`_probe` of ``k`` whose hash is ``hash``. A worker thread may run it while the
    storing thread adds states: a cell is read acquiring, as it is set releasing, after its
    state's words (on x86 both are plain moves)."""
    cdef Py_ssize_t m = self.tcap - 1
    cdef Py_ssize_t h = hash & m
    cdef int32_t j
    cdef int w, nw = self.nw
    cdef uint64_t* x
    while True:
        j = vfp_cell(&self.table[h])
        if j < 0:
            where[0] = h
            return -1
        x = self.words + <Py_ssize_t>j * nw
        w = 0
        while w < nw and x[w] == k[w]:  # a few words: no call to memcmp
            w += 1
        if w == nw:
            return j
        h = (h + 1) & m


cdef Py_ssize_t _find_or_add(Core self, uint64_t* k, bint* fresh) except -2:
    """The number of state ``k``, adding it if new (fingerprint mode: -1 for a state
    already seen, whose number it does not keep)."""
    if self.fp:
        return _fp_add(self, k, fresh)
    return _find_or_add_h(self, k, _hash(self, k), fresh)


cdef Py_ssize_t _find_or_add_h(Core self, uint64_t* k, uint64_t hash, bint* fresh) except -2:
    """:meth:`_find_or_add` of ``k`` whose hash is ``hash`` (exact storage only)."""
    cdef Py_ssize_t h, j
    cdef size_t size = self.nw * sizeof(uint64_t)
    cdef uint64_t* p
    j = _probe_h(self, k, hash, &h)
    if j >= 0:
        fresh[0] = False
        return j
    if self.count >= 0x7FFFFFFF:
        raise OverflowError("more than 2**31 states")
    if self.count == self.wcap:
        _hold(self)
        self.wcap = self.wcap * 2 if self.wcap else 1024
        p = <uint64_t*>realloc(self.words, self.wcap * size)
        if p == NULL:
            raise MemoryError()
        self.words = p
    memcpy(self.words + self.count * self.nw, k, size)
    vfp_set_cell(&self.table[h], <int32_t>self.count)  # (after the words: see "threads")
    self.count += 1
    fresh[0] = True
    if self.count * 2 > self.tcap:
        _hold(self)
        _rehash(self, self.tcap * 2)
    return self.count - 1


cdef object _intern(Core self, int slot, value):
    """:meth:`Core.intern`."""
    cdef dict known = self.ids[slot]
    cdef int32_t n
    found = known.get(value)
    if found is not None:
        return found
    n = self.nvals[slot]
    known[value] = n
    self.values[slot].append(value)
    heads = self.head_ids[slot]
    if heads is not None:
        head = value[0] if value else None
        h = heads.get(head)
        if h is None:
            h = heads[head] = len(heads)
    for m in self.members[slot]:  # the slots sharing this numbering (symmetry)
        self.nvals[<int>m] = n + 1
        if n + 1 > (1 << self.bw[<int>m]):
            self.need_repack = True
        if heads is not None:
            ib_push(&self.heads[<int>m], h)
    return n
