# The compiled core on several threads (``--workers N``), included by _core.pyx.
#
# One thread (the first, holding the GIL) runs the breadth-first loop of ``run`` and is the only
# one that stores states, records edges, judges and calls Python. The other N - 1 (workers, no
# GIL) stage batches of STAGE_STATES frontier states ahead of it: they build each state's
# successors (their orbits' least images under symmetry), hash them and look them up in the
# visited set, into a ring of batches. The storing thread takes the batches in state order,
# stores what a worker did not find and trusts what it did (a state, once stored, stays); a
# batch no worker has taken yet it stages itself. So the work splits without changing the
# order of anything: every state, number, parent, edge, verdict and Python call comes as in
# ``run``.
#
# Workers read the tables only. A worker stops a batch at the first state whose staging needs
# Python (a table miss); the storing thread expands that state itself with ``_expand``, which
# answers the misses in the order ``run`` does. Before the storing thread changes anything a
# worker reads (a table or the visited set grows, Python installs an answer, the leaves move,
# the states are re-packed) it parks the workers (``_hold``); they wait between two states, and
# go on when the state being stored is done. A re-pack also changes every staged key: the
# batches are then dropped (``tepoch``) and staged again. The visited set grows by appending:
# a worker looking up while states are added sees a state's cell only after its words
# (``vfp_set_cell``), and a state it did not find is looked up again when stored.


cdef int threads_run(Core c, Py_ssize_t max_states, bint want_deadlock, bint keep_edges,
                     progress, guard, double start, int workers) except -1:
    """The run: this thread stores, ``workers - 1`` stage (fewer if OpenMP gives fewer)."""
    cdef int t, k
    c.nring = 4 * workers
    c.ring = <Batch*>calloc(c.nring, sizeof(Batch))
    if c.ring == NULL:
        raise MemoryError()
    try:
        for k in range(c.nring):
            if batch_init(&c.ring[k], c.width) < 0:
                raise MemoryError()
        c.tbase = 0
        c.tclaim = c.tdone = c.tepoch = c.thold = c.tparked = c.tactive = c.tstop = 0
        c.tavail = c.count
        c.piping, c.held, c.terr = True, False, None
        with nogil, parallel(num_threads=workers):
            t = threadid()
            if t == 0:
                with gil:
                    threads_lead(c, max_states, want_deadlock, keep_edges, progress, guard,
                                 start)
            else:
                threads_work(c)
    finally:
        c.piping = False
        for k in range(c.nring):
            batch_free(&c.ring[k])
        free(c.ring)
        c.ring = NULL
    if c.terr is not None:
        err, c.terr = c.terr, None
        raise err
    return 0


cdef void threads_lead(Core c, Py_ssize_t max_states, bint want_deadlock, bint keep_edges,
                       progress, guard, double start) noexcept:
    """The storing thread; an exception is kept for after the workers are gone."""
    try:
        threads_store(c, max_states, want_deadlock, keep_edges, progress, guard, start)
    except BaseException as e:
        c.terr = e
    finally:
        threads_quit(c)


cdef void threads_quit(Core c) noexcept nogil:
    """Send the workers home and wait until they are."""
    cdef int spins = 0
    vfp_store(&c.tstop, 1)
    _unhold(c)
    while vfp_load(&c.tactive) > 0:
        vfp_relax(&spins)
    c.piping = False


cdef int threads_store(Core c, Py_ssize_t max_states, bint want_deadlock, bint keep_edges,
                       progress, guard, double start) except -1:
    """``_serial`` from state 0, taking the staged batches as they come."""
    cdef Py_ssize_t i = 0, level_end = 1
    cdef Batch* b = NULL
    cdef int rp
    cdef bint stop = False, switched = False
    while i < c.count:
        if i == level_end:
            level_end = _next_level(c, i)
        b = threads_batch(c, b, i)
        if i == b.left:  # Python has to answer: the one-state loop, workers parked
            rp = c.repacks
            _expand(c, i, want_deadlock, keep_edges)
            if c.repacks != rp:  # every staged key is stale: drop the batches (``b`` too,
                vfp_store(&c.tepoch, c.tepoch + 1)  # as its re-packs no longer match)
                c.tbase = i + 1
                vfp_store(&c.tclaim, 0)
                vfp_store(&c.tdone, 0)
        else:
            _take(c, i, b, want_deadlock, keep_edges)
        i += 1
        _unhold(c)
        if c.count >= c.tavail + 16:  # (a worker stages whole batches: no need to say more often)
            vfp_store(&c.tavail, c.count)
        switched = _switch_due(c)
        if switched:
            # fingerprints from here on, on this thread: the workers read the exact table
            threads_quit(c)
            _to_fingerprints(c, i)
        stop = _stop(c, i, max_states, progress, guard, start)
        if stop or switched:
            break
    if switched and not stop:
        _serial(c, i, level_end, max_states, want_deadlock, keep_edges, progress, guard, start)
    return 0


cdef Batch* threads_batch(Core c, Batch* b, Py_ssize_t i) except NULL:
    """The batch holding state ``i``: ``b`` if it does, else batch n's slot of the ring, as
    a worker published it or staged here (nobody took it, or it ends before ``i``)."""
    cdef int64_t n
    cdef int spins = 0
    if b != NULL and (b.lo <= i < b.hi or i == b.left) and b.repacks == c.repacks:
        return b
    n = (i - c.tbase) // STAGE_STATES
    vfp_store(&c.tdone, n)  # the batches before n are stored: their slots are free
    b = &c.ring[n % c.nring]
    _unhold(c)  # (a parked worker could not publish the batch waited for)
    if not (vfp_load(&c.tclaim) == n and vfp_cas(&c.tclaim, n, n + 1)):
        while vfp_load(&b.seq) != n or b.epoch != c.tepoch:
            if not threads_help(c):
                vfp_relax(&spins)
        if (b.lo <= i < b.hi or i == b.left) and b.repacks == c.repacks:
            return b
    if threads_stage(c, b, i, min(c.count, c.tbase + (n + 1) * STAGE_STATES), c.tepoch,
                     False) < 0:
        raise MemoryError()
    b.epoch = c.tepoch  # (staged here: found as published when its states go on)
    vfp_store(&b.seq, n)
    return b


cdef void threads_work(Core c) noexcept nogil:
    """A worker: stage the batches it can take; park whenever asked."""
    cdef int spins = 0
    vfp_add(&c.tactive, 1)
    while not vfp_load(&c.tstop):
        if vfp_load(&c.thold):
            threads_park(c)
        elif threads_help(c):
            spins = 0
        else:
            vfp_idle(&spins)
    vfp_add(&c.tactive, -1)


cdef bint threads_help(Core c) noexcept nogil:
    """Take the next batch whose states are all stored and whose slot is free, stage it and
    publish it; False if there is none to take. (The storing thread helps too, while it waits
    for a worker's batch.)"""
    cdef int64_t n, epoch = vfp_load(&c.tepoch)
    cdef Py_ssize_t lo
    cdef Batch* b
    n = vfp_load(&c.tclaim)
    lo = c.tbase + n * STAGE_STATES
    if n >= vfp_load(&c.tdone) + c.nring or lo + STAGE_STATES > vfp_load(&c.tavail):
        return False
    if not vfp_cas(&c.tclaim, n, n + 1):
        return True
    b = &c.ring[n % c.nring]
    vfp_store(&b.seq, -1)
    if threads_stage(c, b, lo, lo + STAGE_STATES, epoch, True) == 1:
        b.epoch = epoch
        vfp_store(&b.seq, n)  # (after everything in it)
    return True


cdef void threads_park(Core c) noexcept nogil:
    """Wait, counted as parked, while the storing thread holds the workers."""
    cdef int spins = 0
    vfp_add(&c.tparked, 1)
    while vfp_load(&c.thold) and not vfp_load(&c.tstop):
        vfp_relax(&spins)
    vfp_add(&c.tparked, -1)


cdef int threads_stage(Core c, Batch* b, Py_ssize_t lo, Py_ssize_t hi, int64_t epoch,
                       bint worker) noexcept nogil:
    """Stage states ``lo`` to ``hi`` into ``b``, up to the first that needs Python
    (``b.left``); a worker also looks the successors up. 1 when staged, 0 when the batches
    were dropped while a worker was parked, -1 without memory (for the storing thread)."""
    cdef Py_ssize_t k = lo, n = 0, r, cell
    b.left = -1
    b.probed = False
    while k < hi:
        if worker and not threads_on(c, epoch):
            return 0
        b.first[k - lo] = n
        r = _stage_ro(c, b, k, n)
        if r == -3 and not worker:
            return -1
        if r < 0:  # a miss (a worker without memory: the same) ends the batch
            b.left = k
            break
        n = r
        k += 1
    b.first[k - lo] = n
    b.lo, b.hi, b.repacks = lo, k, c.repacks
    if worker:
        for r in range(n):
            if (r & 15) == 0 and not threads_on(c, epoch):
                return 0
            if r + STAGE_AHEAD < n:
                prefetch(&c.table[b.hash[r + STAGE_AHEAD] & (c.tcap - 1)])
            b.found[r] = (-1 if b.ent[r] < 0
                          else _probe_h(c, b.keys + r * b.nw, b.hash[r], &cell))
        b.probed = True
    return 1


cdef inline bint threads_on(Core c, int64_t epoch) noexcept nogil:
    """A worker's pause between two states: park if asked; False if the batches were dropped
    meanwhile (or the run is over)."""
    if vfp_load(&c.thold):
        threads_park(c)
        return vfp_load(&c.tepoch) == epoch and not vfp_load(&c.tstop)
    return True


cdef void _hold(Core self) noexcept nogil:
    """Park the workers (until this state is stored) before this thread changes what they
    read: a table's growth, Python's answers, the leaves' move."""
    cdef int spins = 0
    if not self.piping or self.held:
        return
    vfp_store(&self.thold, 1)
    while vfp_load(&self.tparked) < vfp_load(&self.tactive):
        vfp_relax(&spins)
    self.held = True


cdef void _unhold(Core self) noexcept nogil:
    if self.held:
        vfp_store(&self.thold, 0)
        self.held = False
