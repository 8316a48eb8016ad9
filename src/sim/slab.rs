//! A slab: values stored by small integer handles that are reused after removal, so that the
//! memory of in-flight work follows how much is in flight, not how much has ever run. Handles are
//! handed out deterministically (the most recently freed first).

#[derive(Debug, Clone)]
pub struct Slab<T> {
    items: Vec<Option<T>>,
    free: Vec<u32>,
    live: usize,
    live_peak: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            items: Vec::new(),
            free: Vec::new(),
            live: 0,
            live_peak: 0,
        }
    }
}

impl<T> Slab<T> {
    pub fn insert(&mut self, value: T) -> u32 {
        self.live += 1;
        self.live_peak = self.live_peak.max(self.live);
        match self.free.pop() {
            Some(handle) => {
                self.items[handle as usize] = Some(value);
                handle
            }
            None => {
                let handle =
                    u32::try_from(self.items.len()).expect("more than 2^32 live slab entries");
                self.items.push(Some(value));
                handle
            }
        }
    }

    /// Removes and returns the value; panics if the handle is not live (a bookkeeping bug).
    pub fn remove(&mut self, handle: u32) -> T {
        let value = self.items[handle as usize]
            .take()
            .unwrap_or_else(|| panic!("slab handle {handle} is not live"));
        self.free.push(handle);
        self.live -= 1;
        value
    }

    pub fn get(&self, handle: u32) -> &T {
        self.items[handle as usize]
            .as_ref()
            .unwrap_or_else(|| panic!("slab handle {handle} is not live"))
    }

    /// The value, if the handle is live (handles are reused, so callers that keep handles
    /// across removals check an id of their own too).
    pub fn try_get(&self, handle: u32) -> Option<&T> {
        self.items.get(handle as usize)?.as_ref()
    }

    pub fn get_mut(&mut self, handle: u32) -> &mut T {
        self.items[handle as usize]
            .as_mut()
            .unwrap_or_else(|| panic!("slab handle {handle} is not live"))
    }

    pub fn len(&self) -> usize {
        self.live
    }

    /// The live handles, in handle order.
    pub fn handles(&self) -> Vec<u32> {
        (0..self.items.len() as u32)
            .filter(|&handle| self.items[handle as usize].is_some())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The most values ever live at once.
    pub fn len_peak(&self) -> usize {
        self.live_peak
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_reused() {
        let mut slab = Slab::default();
        let a = slab.insert("a");
        let b = slab.insert("b");
        assert_eq!(slab.remove(a), "a");
        let c = slab.insert("c");
        assert_eq!(c, a);
        assert_eq!(*slab.get(b), "b");
        assert_eq!(slab.len(), 2);
        assert_eq!(slab.len_peak(), 2);
    }

    #[test]
    #[should_panic(expected = "is not live")]
    fn removing_twice_panics() {
        let mut slab = Slab::default();
        let a = slab.insert(1);
        slab.remove(a);
        slab.remove(a);
    }
}
