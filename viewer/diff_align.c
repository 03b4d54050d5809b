/*
 * The alignment core of `wasitrace diff`: Myers' greedy O(ND) algorithm
 * ("An O(ND) Difference Algorithm and Its Variations", 1986) over two
 * windows of calls, reporting only the first region of the shortest edit
 * script. The furthest-reaching x of every diagonal k is kept for each d
 * (V_d, 2d+1 values stored from offset d*d of one array), so the path can
 * be traced back: memory grows as D squared, which max_d bounds.
 */
#include <stdlib.h>

#include "diff_internal.h"

typedef struct al_s {
  int32_t *hist; /* V_d[k] at hist[d*d + k + d] */
  size_t cap;
} al_t;

static int32_t *row(al_t *a, uint32_t d) {
  return a->hist + (size_t)d * d + d;
}

/* Room for V_0 .. V_d. */
static int reserve(al_t *a, uint32_t d) {
  size_t need = (size_t)(d + 1) * (d + 1);
  if (need > a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 256;
    int32_t *h;
    while (cap < need)
      cap *= 2;
    if ((h = realloc(a->hist, cap * sizeof *h)) == NULL)
      return -1;
    a->hist = h;
    a->cap = cap;
  }
  return 0;
}

/* Whether the move into diagonal k at step d came down (from k+1: a call
 * of b only) rather than right (from k-1: a call of a only). */
static bool came_down(const int32_t *prev, int32_t k, int32_t d) {
  return k == -d || (k != d && prev[k - 1] < prev[k + 1]);
}

/* Walks back from (n, m), reached on diagonal k at step d, and counts the
 * moves before the first one followed by a pair alike. */
static void first_region(al_t *a, int32_t n, int32_t m, int32_t k, int32_t d,
                         wt__hunk_t *out) {
  int32_t x = n, y = m;
  /* Going back, the last move seen that is followed by a snake (or ends
   * the path) bounds the first region; every earlier move is in it. */
  uint32_t a_only = 0, b_only = 0, a_tot = 0, b_tot = 0;
  for (; d > 0; d--) {
    const int32_t *prev = row(a, (uint32_t)d - 1);
    bool down = came_down(prev, k, d);
    int32_t pk = down ? k + 1 : k - 1;
    int32_t px = prev[pk], py = px - pk;
    int32_t mx = down ? px : px + 1; /* after the move, before the snake */
    bool snake = x > mx;
    (void)py;
    if (down)
      b_tot++;
    else
      a_tot++;
    if (snake) { /* the region so far (counted from the front) ends here */
      a_only = 0;
      b_only = 0;
    }
    if (down)
      b_only++;
    else
      a_only++;
    x = px;
    y = py;
    k = pk;
  }
  (void)y;
  (void)a_tot;
  (void)b_tot;
  out->a_only = a_only;
  out->b_only = b_only;
}

int wt__diff_align(uint32_t n, uint32_t m, wt__diff_eq_fn eq, void *ud,
                   uint32_t max_d, wt__hunk_t *out) {
  al_t a = {NULL, 0};
  uint32_t s = 0;
  int rc = 1;
  while (s < n && s < m && eq(ud, s, s))
    s++;
  out->same = s;
  out->a_only = n - s;
  out->b_only = m - s;
  if (s == n || s == m)
    return 0;
  {
    int32_t N = (int32_t)(n - s), M = (int32_t)(m - s);
    for (int32_t d = 0; d <= (int32_t)max_d && d <= N + M; d++) {
      int32_t *v, *prev;
      if (reserve(&a, (uint32_t)d) < 0) {
        rc = -1;
        break;
      }
      v = row(&a, (uint32_t)d);
      prev = d > 0 ? row(&a, (uint32_t)d - 1) : NULL;
      for (int32_t k = -d; k <= d; k += 2) {
        int32_t x = d == 0 ? 0
                    : came_down(prev, k, d) ? prev[k + 1]
                                            : prev[k - 1] + 1;
        int32_t y = x - k;
        while (x < N && y < M && eq(ud, s + (uint32_t)x, s + (uint32_t)y)) {
          x++;
          y++;
        }
        v[k] = x;
        if (x >= N && y >= M) {
          first_region(&a, N, M, k, d, out);
          rc = 0;
          goto done;
        }
      }
    }
  }
done:
  free(a.hist);
  return rc;
}
