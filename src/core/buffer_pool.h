// A process-wide pool of 64-byte-aligned float blocks, recycled by size class.
// Fresh pages cost 11-19 us each on the VMs we run on, so a training loop that frees and
// re-allocates the same activations every step must not go back to the kernel. The pool keeps
// freed blocks (rounded up to a power-of-two-ish size class) and hands them out again.
// Not here: a general allocator. Small or odd-sized objects use new/delete as usual.
#pragma once

#include <cstddef>

namespace neuroshop {

// Returns a block of at least `count` floats, 64-byte aligned. Never returns null (throws).
float* pool_allocate(size_t count, size_t* capacity);
// Returns a block obtained from pool_allocate with the capacity it reported.
void pool_release(float* block, size_t capacity);
// Bytes currently held by the pool in free blocks (for `info` and tests).
size_t pool_cached_bytes();
// Frees every cached block (tests; memory pressure).
void pool_trim();

}  // namespace neuroshop
