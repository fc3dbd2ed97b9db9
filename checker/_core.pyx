# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled exploration core: a breadth-first loop over bit-packed states.

Why compiled: in the Python engine the model's own code runs rarely (its results are memoised in
tries); the time goes into the Python glue around those tries: walking dictionaries, slicing
tuples, hashing them. Here every slot value is interned per slot as a small integer, a state is
those integers packed into a few 64-bit words, the visited set is an open-addressing table over
the packed words, and the successor and property tries are dense integer arrays mirrored from
the Python ones. The core never runs a guard, an action or a property: on a table miss it hands
the state's slot numbers to a Python callback (:mod:`checker.compiled`), which asks the Python
product or memo for the answer and installs it here; Python stays the source of truth.

Layout of the tries (one pool of dense child arrays): a node branches on one slot (``k >= 0``)
or on the head message of channel slot ``~k``; its child for value number ``v`` is
``pool[base + v]`` when ``v < cap``. A child code ``>= 0`` is a node, ``-1`` a miss, and
``<= -2`` a leaf: successor leaf ``L`` is ``-2 - L``; a property leaf is ``-2`` (false) or
``-3`` (true). A channel-operation table is a node whose key is unused: old channel value
number -> new one, ``-2`` meaning the step overflows the channel.

``run_threads`` is the same loop with workers (native threads, OpenMP, no GIL) staging batches
of states ahead of it: see checker/_threads.pxi.
"""

from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, qsort, realloc
from libc.string cimport memcpy, memmove, memset
from cython.parallel cimport parallel, threadid

from array import array
from time import perf_counter

cdef enum:
    MISS = -1
    STAGE_STATES = 64  # states whose successors are built before they are looked up
    STAGE_AHEAD = 16  # records between a table cell's fetch and its look-up


cdef struct IBuf:
    int32_t* d
    Py_ssize_t n
    Py_ssize_t cap


cdef struct LBuf:  # 64-bit state ids (fingerprint mode may pass 2**31 states)
    int64_t* d
    Py_ssize_t n
    Py_ssize_t cap


cdef int grow_buf(void** d, Py_ssize_t* cap, Py_ssize_t need, size_t item) except -1:
    """Make ``d`` (``cap`` items of ``item`` bytes) hold at least ``need`` items, doubling."""
    cdef Py_ssize_t c
    cdef void* p
    if need <= cap[0]:
        return 0
    c = cap[0] * 2 if cap[0] else 16
    while c < need:
        c *= 2
    p = realloc(d[0], c * item)
    if p == NULL:
        raise MemoryError()
    d[0] = p
    cap[0] = c
    return 0


cdef int ib_reserve(IBuf* b, Py_ssize_t need) except -1:
    return grow_buf(<void**>&b.d, &b.cap, need, sizeof(int32_t))


cdef inline int lb_push(LBuf* b, int64_t v) except -1:
    if b.n == b.cap:
        grow_buf(<void**>&b.d, &b.cap, b.n + 1, sizeof(int64_t))
    b.d[b.n] = v
    b.n += 1
    return 0


cdef inline int ib_push(IBuf* b, int32_t v) except -1:
    if b.n == b.cap:
        ib_reserve(b, b.n + 1)
    b.d[b.n] = v
    b.n += 1
    return 0


cdef void ib_trim(IBuf* b) noexcept:
    """Give back the room doubling left (a failed shrink keeps the larger block)."""
    cdef int32_t* p
    if 0 < b.n < b.cap:
        p = <int32_t*>realloc(b.d, b.n * sizeof(int32_t))
        if p != NULL:
            b.d = p
            b.cap = b.n


cdef object ib_array(IBuf* b):
    """A copy of ``b``'s values as an array (copied straight into it, with no bytes between)."""
    out = array("i", [0]) * b.n if b.n else array("i")
    cdef int32_t[::1] view
    if b.n:
        view = out
        memcpy(&view[0], b.d, b.n * sizeof(int32_t))
    return out


cdef object ib_hand_over(IBuf* b):
    """``b``'s values as an array, ``b`` emptied: one copy at a time, not two, is alive."""
    out = ib_array(b)
    free(b.d)
    b.d = NULL
    b.n = b.cap = 0
    return out


cdef extern from *:
    """
    #define prefetch(p) __builtin_prefetch(p)
    #define ctz64(x) __builtin_ctzll(x)
    #ifdef _OPENMP
    #define VFP_OPENMP 1
    #else
    #define VFP_OPENMP 0
    #endif
    #include <sched.h>
    /* the threads' shared counters and flags: sequentially consistent, so that a worker
       parks before it reads what the storing thread changes (see "threads") */
    static inline int64_t vfp_load(const int64_t* p) {
        return __atomic_load_n(p, __ATOMIC_SEQ_CST);
    }
    static inline void vfp_store(int64_t* p, int64_t v) {
        __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
    }
    static inline void vfp_add(int64_t* p, int64_t v) {
        __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST);
    }
    static inline int vfp_cas(int64_t* p, int64_t old, int64_t v) {
        return __atomic_compare_exchange_n(p, &old, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    /* a visited-set cell: set after its state's words are written, read before them */
    static inline int32_t vfp_cell(const int32_t* p) {
        return __atomic_load_n(p, __ATOMIC_ACQUIRE);
    }
    static inline void vfp_set_cell(int32_t* p, int32_t v) {
        __atomic_store_n(p, v, __ATOMIC_RELEASE);
    }
    /* a wait's turn: spin a little, then let the machine run someone else */
    static inline void vfp_relax(int* spins) {
        if (++*spins < 64) {
    #if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
    #endif
        } else {
            sched_yield();
        }
    }
    """
    int VFP_OPENMP
    void prefetch(const void* p) nogil
    int ctz64(uint64_t x) nogil
    int64_t vfp_load(const int64_t* p) nogil
    void vfp_store(int64_t* p, int64_t v) nogil
    void vfp_add(int64_t* p, int64_t v) nogil
    bint vfp_cas(int64_t* p, int64_t old, int64_t v) nogil
    int32_t vfp_cell(const int32_t* p) nogil
    void vfp_set_cell(int32_t* p, int32_t v) nogil
    void vfp_relax(int* spins) nogil


def threaded():
    """True when the core was built with OpenMP (else ``run_threads`` runs on one thread)."""
    return VFP_OPENMP == 1


# Tries (one per row) and the slots each reads, with each entry's mask of the rows its move may
# change (see "judging less" and "leaves handed down"): properties and leaders both keep one.
cdef struct Readers:
    unsigned char* slot  # row r reads slot s: slot[r * width + s]
    int rows  # the rows the masks cover
    int nw  # mask words per entry
    int ver  # bumped whenever a row reads a new slot (the masks are then stale)
    uint64_t* mask  # entry e's mask: mask[e * nw : (e + 1) * nw]
    int32_t* mver  # the ``ver`` entry e's mask was made at (-1: never)
    Py_ssize_t mcap


cdef int grow(void** p, Py_ssize_t n, size_t item) noexcept nogil:
    cdef void* q = realloc(p[0], n * item)
    if q == NULL:
        return -1
    p[0] = q
    return 0


cdef int readers_init(Readers* r, int rows, int width) except -1:
    """``r`` for ``rows`` tries over ``width`` slots, none read yet."""
    memset(r, 0, sizeof(Readers))
    r.rows = rows
    r.nw = (rows + 63) // 64
    r.slot = <unsigned char*>calloc(max(rows * width, 1), 1)
    if r.slot == NULL:
        raise MemoryError()
    return 0


cdef void readers_free(Readers* r) noexcept:
    free(r.slot)
    free(r.mask)
    free(r.mver)
    memset(r, 0, sizeof(Readers))


# A batch of states whose successors are staged (built and hashed, on a worker thread also looked
# up) before the loop that stores them, in state order. State k's records are ``first[k - lo]``
# to ``first[k - lo + 1]``.
cdef struct Batch:
    uint64_t* keys  # record r's packed words: keys[r * nw : (r + 1) * nw]
    uint64_t* hash
    int32_t* ent  # its entry (-2 - e: the step overflows a channel)
    int32_t* size  # symmetry: its orbit's size
    int32_t* found  # a worker's look-up: the state's number (-1: not stored when looked up)
    Py_ssize_t cap
    int nw  # the words a state had when the records were made room for
    Py_ssize_t* first
    Py_ssize_t lo, hi  # the states staged: lo <= k < hi
    Py_ssize_t left  # the state after them, whose staging needs Python (-1: none)
    int repacks  # the core's re-packs when it was staged
    bint probed  # ``found`` is filled
    int32_t* cur  # scratch rows of slot numbers
    int32_t* ids
    int32_t* best
    int mkind  # the miss that stopped it: 1 a leader's trie (mrow), 2 a channel table (mrow,
    int32_t mrow  # old value mval), 3 a rename table
    int32_t mval
    int64_t seq  # threads: the batch number it holds, once published (then ``epoch``'s)
    int64_t epoch
    char pad[64]  # two workers' counters never share a cache line


cdef int batch_init(Batch* b, int width) noexcept nogil:
    """An empty batch with scratch rows for ``width`` slots (-1: no memory)."""
    memset(b, 0, sizeof(Batch))
    b.left = -1
    b.seq = -1
    b.first = <Py_ssize_t*>malloc((STAGE_STATES + 1) * sizeof(Py_ssize_t))
    b.cur = <int32_t*>malloc(max(width, 1) * sizeof(int32_t))
    b.ids = <int32_t*>malloc(max(width, 1) * sizeof(int32_t))
    b.best = <int32_t*>malloc(max(width, 1) * sizeof(int32_t))
    return 0 if (b.first and b.cur and b.ids and b.best) else -1


cdef int batch_room(Batch* b, Py_ssize_t need, int nw) noexcept nogil:
    """Room for ``need`` records of ``nw`` words (-1: no memory)."""
    cdef Py_ssize_t cap = b.cap if b.nw == nw else 0
    if need <= cap:
        return 0
    while cap < need:
        cap = cap * 2 if cap else 1024
    if (grow(<void**>&b.keys, cap, nw * sizeof(uint64_t)) < 0
            or grow(<void**>&b.hash, cap, sizeof(uint64_t)) < 0
            or grow(<void**>&b.ent, cap, sizeof(int32_t)) < 0
            or grow(<void**>&b.size, cap, sizeof(int32_t)) < 0
            or grow(<void**>&b.found, cap, sizeof(int32_t)) < 0):
        return -1
    b.cap = cap
    b.nw = nw
    return 0


cdef void batch_free(Batch* b) noexcept nogil:
    free(b.keys)
    free(b.hash)
    free(b.ent)
    free(b.size)
    free(b.found)
    free(b.first)
    free(b.cur)
    free(b.ids)
    free(b.best)
    memset(b, 0, sizeof(Batch))


cdef inline uint64_t mix(uint64_t h) noexcept nogil:
    h ^= h >> 33
    h *= <uint64_t>0xFF51AFD7ED558CCD
    h ^= h >> 33
    h *= <uint64_t>0xC4CEB9FE1A85EC53
    h ^= h >> 33
    return h


cdef inline uint64_t smix(uint64_t z) noexcept nogil:
    """SplitMix64's finaliser: the fingerprints' mixer, other than the probe hash's ``mix``."""
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EB
    return z ^ (z >> 31)


cdef int cmp_u64(const void* a, const void* b) noexcept nogil:
    cdef uint64_t x = (<uint64_t*>a)[0], y = (<uint64_t*>b)[0]
    return (x > y) - (x < y)


cdef int bit_length(Py_ssize_t x) noexcept:
    cdef int n = 0
    while x > 0:
        n += 1
        x >>= 1
    return n


cdef class Core:
    """Interned slots, packed states, the visited set, the tries and the BFS loop."""

    # Read-mostly: what the loop and the workers read on every state (the storing thread
    # changes it only with the workers parked, see "threads"); the fields it writes on every
    # state come after it, on cache lines of their own, so a worker's reads never wait on them.
    cdef readonly int width
    cdef readonly int nw
    cdef int nleaders
    cdef int npred
    cdef int32_t* bw
    cdef int32_t* word
    cdef int32_t* shift
    cdef uint64_t* mask
    cdef int32_t* nvals
    cdef int32_t* cur
    cdef int32_t* nxt
    cdef uint64_t* key
    cdef IBuf* heads
    cdef list values
    cdef list ids
    cdef list head_ids
    cdef bint need_repack
    # states and the visited set
    cdef uint64_t* words
    cdef Py_ssize_t wcap
    cdef int32_t* table
    cdef Py_ssize_t tcap
    # tries and tables
    cdef IBuf node, pool, roots  # node c: key, cap, base at node.d[4c:4c+3] (one cache line)
    cdef IBuf lstart, lend, emove, wstart, wend, wslot, wval, cstart, cend, cslot, ctab
    # properties: kind 0 trigger, 1 invariant (hit when false), 2 goal (hit when true)
    cdef IBuf pkind, pactive, pfallback
    cdef LBuf phit
    cdef object kept_edges  # the edges once handed over (edges())
    cdef object cb
    cdef readonly str stop_reason
    cdef readonly int repacks
    # symmetry (see the section "symmetry" below): slots sharing one value numbering, the group
    cdef list members
    cdef readonly bint sym
    cdef bint gating
    cdef int ngroup
    cdef int32_t* gsrc
    cdef int32_t* gren
    cdef int32_t* best
    # fingerprint storage (see the section "fingerprints" below)
    cdef readonly bint fp
    cdef readonly Py_ssize_t base
    cdef readonly Py_ssize_t switch_at
    cdef readonly Py_ssize_t switched_at
    cdef uint64_t* ftab
    cdef Py_ssize_t fcap
    cdef uint64_t fmask
    cdef int32_t* fids
    # the slots each property's trie reads, and per entry the properties it may change (see
    # "judging less" below); its rows are the predicates judged in the run (add_pred's come
    # after it)
    cdef Readers preads
    # each leader's leaf for the states not yet expanded (``lrows`` is ``leaves.d``), and the
    # slots each leader's trie reads (see "leaves handed down" below)
    cdef bint lv
    cdef Readers lreads
    cdef int32_t* lrows
    cdef Py_ssize_t lbase
    # threads (see "threads" below): the ring of batches
    cdef Batch* ring
    cdef int nring
    cdef Py_ssize_t tbase  # batch n holds states tbase + n * STAGE_STATES on
    cdef int64_t tepoch  # bumped when the staged batches are dropped (a re-pack)
    cdef bint piping  # workers are running
    # written on every state
    cdef char pad0[64]
    cdef readonly Py_ssize_t count
    cdef IBuf parent
    cdef IBuf via
    cdef IBuf esrc, edst, emv  # edges
    cdef readonly Py_ssize_t transitions
    cdef readonly int depth
    cdef readonly Py_ssize_t deadlock
    cdef readonly bint overflowed
    cdef readonly bint complete
    cdef readonly Py_ssize_t concrete
    cdef readonly Py_ssize_t fused
    cdef LBuf parent64  # the parents once ids pass 2**31 (then ``parent`` is empty)
    cdef IBuf leaves
    cdef Batch sb  # the staged batch (see "staged expansion" below)
    cdef bint held  # the workers are parked for this state
    cdef object terr  # the storing thread's exception, raised once the workers are done
    # the counters the threads share, apart by who writes them
    cdef char pad1[64]
    cdef int64_t tclaim  # the next batch a worker may take (all)
    cdef char pad2[64]
    cdef int64_t tavail  # the states stored so far: a worker stages only those (storing)
    cdef int64_t tdone  # the batch being stored: the ones before it are done (storing)
    cdef int64_t thold  # the storing thread asks the workers to park (storing)
    cdef int64_t tstop  # (storing)
    cdef char pad3[64]
    cdef int64_t tparked  # the workers parked (workers)
    cdef int64_t tactive  # the workers running (workers)
    cdef char pad4[64]

    def __cinit__(self):
        self.bw = self.word = self.shift = self.nvals = self.cur = self.nxt = NULL
        self.mask = self.key = self.words = NULL
        self.heads = NULL
        self.table = NULL
        self.gsrc = self.gren = self.best = NULL
        self.ftab = NULL
        self.fids = NULL
        memset(&self.preads, 0, sizeof(Readers))
        memset(&self.lreads, 0, sizeof(Readers))
        memset(&self.sb, 0, sizeof(Batch))
        self.ring = NULL
        self.switch_at = self.switched_at = -1
        self.fmask = <uint64_t>0xFFFFFFFFFFFFFFFF

    def __init__(self, int width, list channel_slots, list init_bits, int nleaders, list kinds, cb):
        """``cb`` answers the misses: ``succ_miss(leader, ids)``, ``pred_miss(p, ids)``,
        ``pred_eval(p, ids)``, ``fill(table, old)``, ``overflow(sid, entry)``,
        ``is_final(sid)``."""
        cdef int s
        self.width = width
        self.nleaders = nleaders
        self.npred = len(kinds)
        self.cb = cb
        self.bw = <int32_t*>malloc(width * sizeof(int32_t))
        self.word = <int32_t*>malloc(width * sizeof(int32_t))
        self.shift = <int32_t*>malloc(width * sizeof(int32_t))
        self.mask = <uint64_t*>malloc(width * sizeof(uint64_t))
        self.nvals = <int32_t*>malloc(width * sizeof(int32_t))
        self.cur = <int32_t*>malloc(width * sizeof(int32_t))
        self.nxt = <int32_t*>malloc(width * sizeof(int32_t))
        self.key = <uint64_t*>malloc(width * sizeof(uint64_t))
        self.heads = <IBuf*>malloc(width * sizeof(IBuf))
        if not (self.bw and self.word and self.shift and self.mask and self.nvals and self.cur
                and self.nxt and self.key and self.heads) or batch_init(&self.sb, width) < 0:
            raise MemoryError()
        memset(self.heads, 0, width * sizeof(IBuf))
        self.values = [[] for _ in range(width)]
        self.ids = [{} for _ in range(width)]
        self.head_ids = [None] * width
        self.members = [[s] for s in range(width)]
        for s in channel_slots:
            self.head_ids[s] = {}
        for s in range(width):
            self.nvals[s] = 0
            self.bw[s] = init_bits[s]
        _layout(self)
        for s in range(nleaders + self.npred):
            ib_push(&self.roots, MISS)
        for s in range(self.npred):
            ib_push(&self.pkind, kinds[s])
            ib_push(&self.pactive, 1)
            ib_push(&self.pfallback, 0)
            lb_push(&self.phit, -1)
        readers_init(&self.preads, self.npred, width)
        readers_init(&self.lreads, nleaders, width)
        self.tcap = 1024
        self.table = <int32_t*>malloc(self.tcap * sizeof(int32_t))
        if self.table == NULL:
            raise MemoryError()
        memset(self.table, 0xFF, self.tcap * sizeof(int32_t))
        self.count = 0
        self.deadlock = -1
        self.complete = True
        self.stop_reason = ""

    def __dealloc__(self):
        cdef int s
        if self.heads != NULL:
            for s in range(self.width):
                free(self.heads[s].d)
        free(self.parent.d)
        free(self.via.d)
        free(self.node.d)
        free(self.pool.d)
        free(self.roots.d)
        free(self.lstart.d)
        free(self.lend.d)
        free(self.emove.d)
        free(self.wstart.d)
        free(self.wend.d)
        free(self.wslot.d)
        free(self.wval.d)
        free(self.cstart.d)
        free(self.cend.d)
        free(self.cslot.d)
        free(self.ctab.d)
        free(self.pkind.d)
        free(self.pactive.d)
        free(self.pfallback.d)
        free(self.phit.d)
        free(self.esrc.d)
        free(self.edst.d)
        free(self.emv.d)
        free(self.bw)
        free(self.word)
        free(self.shift)
        free(self.mask)
        free(self.nvals)
        free(self.cur)
        free(self.nxt)
        free(self.key)
        free(self.heads)
        free(self.words)
        free(self.table)
        free(self.gsrc)
        free(self.gren)
        free(self.best)
        free(self.ftab)
        free(self.fids)
        readers_free(&self.preads)
        readers_free(&self.lreads)
        free(self.leaves.d)
        batch_free(&self.sb)
        free(self.parent64.d)

    def intern(self, int slot, value):
        """The number of ``value`` in ``slot`` (a new number the first time it is met)."""
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

    def value(self, int slot, int n):
        return self.values[slot][n]

    def install(self, int root, list keys, list ids, int leaf):
        """Record one path of a Python trie: ``keys`` are the slots it branches on, in order;
        the state ``ids`` gives the values taken; ``leaf`` is where it ends."""
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

    def new_table(self):
        """A fresh channel-operation table (old channel value -> new one)."""
        return _new_node(self, 0)

    def add_leaf(self, list entries):
        """A successor leaf: ``entries`` of ``(move, [(slot, value)], [(channel slot, table)])``;
        returns its code and the number of its first entry."""
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

    def set_fallback(self, int p):
        """Property ``p`` cannot be tabled (it reads the raw state): ask Python every time."""
        cdef int s
        self.pfallback.d[p] = 1
        for s in range(self.width):  # it may read anything
            _reads(self, &self.preads, p, s)

    # -- judging less -------------------------------------------------------------------------
    # A new state is judged only on the predicates its move may change. A predicate still
    # active has had its "not hit" value in every state judged so far (an invariant holds, a
    # goal or an antecedent does not; its first hit deactivates it), the parent included. If
    # the move writes no slot that any path of the predicate's trie reads, the new state
    # agrees with its parent on every slot of the parent's path, takes that path, and has the
    # parent's value: nothing to judge. The slots of a trie only grow (a miss installs a path),
    # so the parent's path was among them. A predicate that reads the raw state reads every
    # slot. (Symmetry stores a state's canonical image, which differs from its parent in more
    # than the move's slots: there every state is judged in full.)

    def start(self, list initial):
        """Store the initial state (slot value numbers) as state 0 and judge it."""
        cdef int s
        cdef bint fresh
        for s in range(self.width):
            self.cur[s] = initial[s]
        if self.sym:  # the initial state's orbit stands for it
            self.concrete = (self.ngroup + 1) // _canon(self, self.cur)
            memcpy(self.cur, self.best, self.width * sizeof(int32_t))
        _after_miss(self)
        _pack(self, self.cur, self.key)
        _find_or_add(self, self.key, &fresh)
        _add_parent(self, -1)
        ib_push(&self.via, -1)
        _judge(self, 0, self.cur)
        if self.gating:
            self.cb.gate(0)

    def run(self, Py_ssize_t max_states, bint want_deadlock, bint keep_edges, progress, guard,
            double start):
        """Breadth first from state 0 until done or a limit (``max_states < 0``: none)."""
        _leaves_begin(self)
        try:
            _serial(self, 0, 1, max_states, want_deadlock, keep_edges, progress, guard, start)
        finally:
            _leaves_end(self)
        _trim(self)

    def run_threads(self, Py_ssize_t max_states, bint want_deadlock, bint keep_edges, progress,
                    guard, double start, int workers):
        """:meth:`run` with ``workers - 1`` threads staging batches ahead (the same results)."""
        _leaves_begin(self)
        try:
            threads_run(self, max_states, want_deadlock, keep_edges, progress, guard, start,
                        workers)
        finally:
            _leaves_end(self)
        _trim(self)

    def share(self, list pool_of):
        """Slot ``s`` numbers its values as slot ``pool_of[s] <= s`` does (before any value
        is interned)."""
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

    def set_group(self, list sources, list renamed, bint gate):
        """The group's elements but the identity: ``sources[g][s]`` is the slot whose value
        element ``g`` moves into slot ``s``; then each slot of ``renamed`` is renamed through a
        table (a node: old value number -> new, filled by ``cb.rename(table, old)``). Returns
        the table numbers, ``[g][k]`` for ``renamed[k]``. ``gate``: ``cb.gate(sid)`` checks
        every new state's images against the properties not declared symmetric."""
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

    def fingerprints(self, Py_ssize_t switch_at, int bits):
        """Store fingerprints of ``bits`` bits (64; fewer only in tests, to force collisions)
        once ``switch_at`` states are stored (0: from the start; -1: never)."""
        if not 1 <= bits <= 64:
            raise ValueError(f"fingerprint width must be 1-64 bits, got {bits}")
        self.fmask = <uint64_t>0xFFFFFFFFFFFFFFFF if bits == 64 else (((<uint64_t>1) << bits) - 1)
        self.switch_at = switch_at
        if switch_at == 0 and not self.fp:
            _to_fingerprints(self, 0)

    def fingerprint_gap(self):
        """The least distance between two stored fingerprints (TLC's observed collision
        estimate is its reciprocal); 0 with fewer than two. Sorts the set in place, so only
        after the run."""
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

    def least_image(self, list ids):
        """The value numbers of the state the core stores for the orbit of ``ids``."""
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

    # -- results ------------------------------------------------------------------------------
    def add_pred(self):
        """Register one more property predicate (after the run: liveness reads it on every
        state through :meth:`truths`); its number."""
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

    def truths(self, list ps):
        """Predicates ``ps`` on every stored state, in order, in one pass: a bytearray per
        predicate, 1 where it holds. A state whose packed words differ from its parent's in
        no slot a predicate's trie reads takes the parent's path, so it has the parent's
        truth (parents come first); the others are unpacked once and walked."""
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

    def ids_of(self, Py_ssize_t i):
        """The slot value numbers of state ``i``."""
        if not self.base <= i < self.count:
            raise IndexError(i)
        _unpack(self, i, self.nxt)
        return _ids(self, self.nxt)

    def decode(self, Py_ssize_t i):
        """State ``i`` as the Python engine stores it (a tuple of slot values)."""
        cdef int s
        if not self.base <= i < self.count:
            raise IndexError(i)
        _unpack(self, i, self.nxt)
        vals = self.values
        return tuple([vals[s][self.nxt[s]] for s in range(self.width)])

    def parents(self):
        """Each state's parent (-1 for the root): array "i", or "q" past 2**31 states."""
        if self.parent64.d == NULL:
            return ib_array(&self.parent)
        out = array("q")
        if self.parent64.n:
            out.frombytes((<char*>self.parent64.d)[: self.parent64.n * sizeof(int64_t)])
        return out

    def moves(self):
        return ib_array(&self.via)

    def edges(self):
        """The explored edges (source, destination, move) as arrays. The core hands its own
        buffers over the first time: the edges are the largest thing a run keeps (12 bytes
        each, several edges a state), so they are never held twice."""
        if self.kept_edges is None:
            self.kept_edges = (ib_hand_over(&self.esrc), ib_hand_over(&self.edst),
                               ib_hand_over(&self.emv))
        return self.kept_edges

    def hits(self):
        """Per property: the first state that hit it (-1: none), and whether it is still
        active (a trigger no longer active has been seen to hold)."""
        return ([self.phit.d[p] for p in range(self.npred)],
                [bool(self.pactive.d[p]) for p in range(self.npred)])

    def state_bytes(self):
        """Bytes held per stored state after the run: packed words, visited-set table, parent
        and move (during the run, up to twice the words, parents and moves: doubling)."""
        if self.count == 0:
            return 0.0
        if self.fp:  # fingerprints, parents, moves, the last level's packed words
            return (self.fcap * 8 + self.parent64.cap * 8 + self.parent.cap * 4
                    + self.via.cap * 4 + self.wcap * self.nw * 8) / self.count
        return (self.wcap * self.nw * 8 + self.tcap * 4 + (self.parent.cap + self.via.cap) * 4
                ) / self.count

    def table_sizes(self):
        """Sizes of the frozen tables (nodes, pool cells, leaves, entries)."""
        return {"nodes": self.node.n // 4, "pool": self.pool.n, "leaves": self.lstart.n,
                "entries": self.emove.n, "words_per_state": self.nw, "repacks": self.repacks}


include "_store.pxi"
include "_tries.pxi"
include "_loop.pxi"
include "_staging.pxi"
include "_symmetry.pxi"
include "_fingerprints.pxi"
include "_results.pxi"
include "_threads.pxi"
