# Fingerprint storage (part of the compiled core, included by _core.pyx).


cdef inline uint64_t _fingerprint(Core self, uint64_t* k) noexcept nogil:
    """State ``k``'s fingerprint (never 0, the free cell's mark): its slot value numbers,
    two to a 64-bit block, chained through ``smix``."""
    cdef int s
    cdef uint64_t h = <uint64_t>0x243F6A8885A308D3 ^ <uint64_t>self.width, v
    cdef int32_t* ids = self.fids
    _unpack_key(self, k, ids)
    s = 0
    while s < self.width:
        v = <uint64_t><uint32_t>ids[s]
        if s + 1 < self.width:
            v |= (<uint64_t><uint32_t>ids[s + 1]) << 32
        h = smix(h ^ v) + <uint64_t>0x9E3779B97F4A7C15
        s += 2
    h = smix(h) & self.fmask
    return h if h else 1


cdef bint _fp_insert(Core self, uint64_t f) noexcept nogil:
    """Add fingerprint ``f`` to the set; False when it was there."""
    cdef Py_ssize_t m = self.fcap - 1
    cdef Py_ssize_t h = mix(f) & m
    while self.ftab[h]:
        if self.ftab[h] == f:
            return False
        h = (h + 1) & m
    self.ftab[h] = f
    self.fused += 1
    return True


cdef int _fp_resize(Core self, Py_ssize_t cap) except -1:
    """A set of ``cap`` cells (a power of two) holding the same fingerprints."""
    cdef uint64_t* old = self.ftab
    cdef Py_ssize_t i, n = self.fcap
    self.ftab = <uint64_t*>malloc(cap * sizeof(uint64_t))
    if self.ftab == NULL:
        self.ftab = old
        raise MemoryError()
    memset(self.ftab, 0, cap * sizeof(uint64_t))
    self.fcap = cap
    self.fused = 0
    for i in range(n):
        if old[i]:
            _fp_insert(self, old[i])
    free(old)
    return 0


cdef Py_ssize_t _fp_add(Core self, uint64_t* k, bint* fresh) except -2:
    """:meth:`_find_or_add` in fingerprint mode: a new state keeps its words until expanded."""
    cdef Py_ssize_t kept = self.count - self.base
    if not _fp_insert(self, _fingerprint(self, k)):
        fresh[0] = False
        return -1
    if self.fused * 4 > self.fcap * 3:  # at most 3/4 full
        _fp_resize(self, self.fcap * 2)
    if kept == self.wcap:
        grow_buf(<void**>&self.words, &self.wcap, kept + 1, self.nw * sizeof(uint64_t))
    memcpy(self.words + kept * self.nw, k, self.nw * sizeof(uint64_t))
    self.count += 1
    fresh[0] = True
    return self.count - 1


cdef int _add_parent(Core self, Py_ssize_t i) except -1:
    """Record the parent of the state just added: 32 bits while ids fit, else 64."""
    if self.parent64.d != NULL:
        return lb_push(&self.parent64, i)
    if self.count <= 0x7FFFFFFF:
        return ib_push(&self.parent, <int32_t>i)
    _widen_parents(self)
    return lb_push(&self.parent64, i)


cdef int _widen_parents(Core self) except -1:
    """Past 2**31 states (fingerprint mode only): the parents become 64-bit."""
    cdef Py_ssize_t j
    grow_buf(<void**>&self.parent64.d, &self.parent64.cap, max(2 * self.parent.n, 16),
             sizeof(int64_t))
    for j in range(self.parent.n):
        self.parent64.d[j] = self.parent.d[j]
    self.parent64.n = self.parent.n
    free(self.parent.d)
    self.parent.d = NULL
    self.parent.n = self.parent.cap = 0
    return 0


cdef void _forget_before(Core self, Py_ssize_t i) noexcept:
    """Drop the packed words of the states before ``i`` (all expanded)."""
    cdef Py_ssize_t kept = self.count - i
    if i > self.base:
        memmove(self.words, _at(self, i), kept * self.nw * sizeof(uint64_t))
        self.base = i


cdef int _to_fingerprints(Core self, Py_ssize_t i) except -1:
    """Switch to fingerprint storage with states ``< i`` expanded: fingerprint every stored
    state, widen the parents, drop the exact table and the expanded states' words."""
    cdef Py_ssize_t j, cap = 1024
    if self.fids == NULL:
        self.fids = <int32_t*>malloc(max(self.width, 1) * sizeof(int32_t))
        if self.fids == NULL:
            raise MemoryError()
    while cap * 3 < self.count * 4 + 4:
        cap *= 2
    self.ftab = <uint64_t*>malloc(cap * sizeof(uint64_t))
    if self.ftab == NULL:
        raise MemoryError()
    memset(self.ftab, 0, cap * sizeof(uint64_t))
    self.fcap = cap
    for j in range(self.count):
        _fp_insert(self, _fingerprint(self, self.words + j * self.nw))
    free(self.table)
    self.table = NULL
    self.tcap = 0
    self.fp = True
    self.lv = False  # (leaves are handed down on exact storage only)
    _forget_before(self, i)
    _trim(self)  # the words of the states still to expand, and room to double
    self.switched_at = self.count
    if self.count:  # announced at the moment it happens, never silently
        self.cb.switched(self.count)
    return 0


cdef object _fingerprints(Core self, Py_ssize_t switch_at, int bits):
    """:meth:`Core.fingerprints`."""
    if not 1 <= bits <= 64:
        raise ValueError(f"fingerprint width must be 1-64 bits, got {bits}")
    self.fmask = <uint64_t>0xFFFFFFFFFFFFFFFF if bits == 64 else (((<uint64_t>1) << bits) - 1)
    self.switch_at = switch_at
    if switch_at == 0 and not self.fp:
        _to_fingerprints(self, 0)


cdef object _fingerprint_gap(Core self):
    """:meth:`Core.fingerprint_gap`."""
    cdef Py_ssize_t i, n = 0
    cdef uint64_t gap = 0, d
    if not self.fp:
        raise ValueError("not in fingerprint mode")
    if self.fused < 0:
        raise ValueError("the fingerprints were already sorted")
    for i in range(self.fcap):
        if self.ftab[i]:
            self.ftab[n] = self.ftab[i]
            n += 1
    self.fused = -1  # no longer a hash set
    qsort(self.ftab, n, sizeof(uint64_t), cmp_u64)
    for i in range(1, n):
        d = self.ftab[i] - self.ftab[i - 1]
        if gap == 0 or d < gap:
            gap = d
    return gap
