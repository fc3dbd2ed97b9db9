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


include "_base.pxi"


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
        return _intern(self, slot, value)

    def value(self, int slot, int n):
        return self.values[slot][n]

    def install(self, int root, list keys, list ids, int leaf):
        """Record one path of a Python trie: ``keys`` are the slots it branches on, in order;
        the state ``ids`` gives the values taken; ``leaf`` is where it ends."""
        return _install(self, root, keys, ids, leaf)

    def new_table(self):
        """A fresh channel-operation table (old channel value -> new one)."""
        return _new_node(self, 0)

    def add_leaf(self, list entries):
        """A successor leaf: ``entries`` of ``(move, [(slot, value)], [(channel slot, table)])``;
        returns its code and the number of its first entry."""
        return _add_leaf(self, entries)

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
        return _start(self, initial)

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
        return _share(self, pool_of)

    def set_group(self, list sources, list renamed, bint gate):
        """The group's elements but the identity: ``sources[g][s]`` is the slot whose value
        element ``g`` moves into slot ``s``; then each slot of ``renamed`` is renamed through a
        table (a node: old value number -> new, filled by ``cb.rename(table, old)``). Returns
        the table numbers, ``[g][k]`` for ``renamed[k]``. ``gate``: ``cb.gate(sid)`` checks
        every new state's images against the properties not declared symmetric."""
        return _set_group(self, sources, renamed, gate)

    def fingerprints(self, Py_ssize_t switch_at, int bits):
        """Store fingerprints of ``bits`` bits (64; fewer only in tests, to force collisions)
        once ``switch_at`` states are stored (0: from the start; -1: never)."""
        return _fingerprints(self, switch_at, bits)

    def fingerprint_gap(self):
        """The least distance between two stored fingerprints (TLC's observed collision
        estimate is its reciprocal); 0 with fewer than two. Sorts the set in place, so only
        after the run."""
        return _fingerprint_gap(self)

    def least_image(self, list ids):
        """The value numbers of the state the core stores for the orbit of ``ids``."""
        return _least_image(self, ids)

    # -- results ------------------------------------------------------------------------------
    def add_pred(self):
        """Register one more property predicate (after the run: liveness reads it on every
        state through :meth:`truths`); its number."""
        return _add_pred(self)

    def truths(self, list ps):
        """Predicates ``ps`` on every stored state, in order, in one pass: a bytearray per
        predicate, 1 where it holds. A state whose packed words differ from its parent's in
        no slot a predicate's trie reads takes the parent's path, so it has the parent's
        truth (parents come first); the others are unpacked once and walked."""
        return _truths(self, ps)

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
