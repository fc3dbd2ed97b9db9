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
