//! One stable sort for every list the page sorts.
//!
//! `slice::sort_by` is generic over the element and the comparator, and each
//! instantiation brings its own copy of the standard library's driftsort
//! (quicksort, merges, small sorts: 3–5 KiB of wasm each). The page sorted six
//! element types that way. Here the standard sort runs once, on `u32`
//! positions with a comparator behind `&dyn`, so it is compiled once; the
//! generic part left per type is the small reordering below.
//!
//! The cost is one index vector and one move of each element, which is
//! nothing at the sizes the page sorts (a REST page of at most a few hundred
//! items, the overview's symbols, the health panel's problems).

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, like `v.sort_by(cmp)`.
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        stable_order(items.len(), &|a, b| cmp(&items[a], &items[b]))
    };
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(
        order
            .iter()
            .filter_map(|&i| slots.get_mut(i as usize)?.take()),
    );
}

/// Sorts `v` stably by a key, like `v.sort_by_key(key)`.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// The positions `0..len` in the stable order `cmp` gives them: the one
/// instantiation of the standard library's stable sort.
#[inline(never)]
fn stable_order(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<u32> {
    // A page never sorts four billion items; positions beyond u32 stay in
    // place at the end rather than wrap.
    let n = len.min(u32::MAX as usize) as u32;
    let mut order: Vec<u32> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a as usize, b as usize));
    order.extend((n as usize..len).map(|i| i as u32));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_library_and_keeps_equal_items_in_order() {
        // Pairs (key, original position): a stable sort by key keeps the
        // positions of equal keys increasing.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in [0usize, 1, 2, 3, 7, 20, 33, 100, 1000] {
            let items: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ((seed % 5) as u8, i)
                })
                .collect();
            let mut ours = items.clone();
            sort_by_key(&mut ours, |p| p.0);
            let mut std = items.clone();
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "length {len}");
        }
    }

    #[test]
    fn sort_by_takes_any_comparator() {
        let mut words = vec![
            "pear".to_string(),
            "fig".into(),
            "apple".into(),
            "kiwi".into(),
        ];
        sort_by(&mut words, |a, b| {
            a.len().cmp(&b.len()).then_with(|| b.cmp(a))
        });
        assert_eq!(words, ["fig", "pear", "kiwi", "apple"]);
    }

    #[test]
    fn elements_are_moved_not_cloned_or_lost() {
        // Not Clone: the reordering must move every element exactly once.
        struct Owned(Box<u32>);
        let mut v: Vec<Owned> = [3u32, 1, 2, 1]
            .into_iter()
            .map(|n| Owned(Box::new(n)))
            .collect();
        sort_by_key(&mut v, |o| *o.0);
        let got: Vec<u32> = v.iter().map(|o| *o.0).collect();
        assert_eq!(got, [1, 1, 2, 3]);
    }
}
