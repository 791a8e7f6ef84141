//! `--json` output: serde views written straight to the output, in the
//! layout ethcfg has always printed ([`Layout`]). Nothing here builds a
//! value tree; an array is written element by element as its iterator
//! yields them, so `show --json` of a thousand interfaces needs no memory
//! beyond the output buffers. The few parts kept as serialised text
//! ([`RawValue`]) are small and serde's own output: the one-line settings
//! groups ([`compact`]) and values written many times ([`laid_out`]).

use std::io::{self, Write};
use std::marker::PhantomData;

use serde::ser::{Serialize, Serializer};
use serde_json::ser::Formatter;
use serde_json::value::RawValue;

/// Writes `value` in ethcfg's layout, then a newline.
pub(crate) fn write<T: Serialize + ?Sized>(
    out: &mut dyn Write,
    value: &T,
) -> io::Result<()> {
    // serde makes many small writes (a quote, a key, `": "`): into a
    // buffer of our own each is a copy, where through `dyn Write` each
    // would be a call.
    let mut buf = io::BufWriter::with_capacity(16 * 1024, &mut *out);
    let mut ser =
        serde_json::Serializer::with_formatter(&mut buf, Layout::default());
    value.serialize(&mut ser).map_err(io::Error::from)?;
    buf.write_all(b"\n")?;
    buf.flush()
}

/// `value` in serde_json's compact layout, kept as written, for the parts
/// of an object that have always been printed on one line (a settings
/// group in `show --all-settings --json`).
pub(crate) fn compact<T: Serialize + ?Sized, E: serde::ser::Error>(
    value: &T,
) -> Result<Box<RawValue>, E> {
    serde_json::value::to_raw_value(value).map_err(E::custom)
}

/// `value` laid out as [`write`] lays it out on a line `indent` steps in,
/// kept as written: for a small value written many times, serialised once.
pub(crate) fn laid_out<T: Serialize + ?Sized>(
    value: &T,
    indent: usize,
) -> Result<Box<RawValue>, serde_json::Error> {
    let mut text = Vec::new();
    let layout = Layout { level: indent, has_value: false, flat: false };
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut text, layout,
    ))?;
    let text = String::from_utf8(text).map_err(serde::ser::Error::custom)?;
    RawValue::from_string(text)
}

/// serde_json's pretty layout (two-space indent, `"key": value`), except
/// that a top-level array puts each element at column 0 on lines of its
/// own and always closes on a line of its own (`[\n{...},\n{...}\n]`, an
/// empty one `[\n]`): the layout `--json` has always had, which a reader
/// can split per interface.
#[derive(Debug, Default)]
struct Layout {
    /// Containers open.
    level: usize,
    /// Whether the innermost open container has a member written.
    has_value: bool,
    /// The outermost container is an array: its elements are not indented.
    flat: bool,
}

impl Layout {
    /// A comma if asked, a newline and the indentation of the current
    /// level, in one write of a constant: `show --json` writes five of
    /// these per feature, and a write of a length known at compile time is
    /// a store into the output buffer, not a call to copy bytes.
    fn newline(
        &self,
        w: &mut (impl Write + ?Sized),
        comma: bool,
    ) -> io::Result<()> {
        let indent = self.level.saturating_sub(usize::from(self.flat));
        match (comma, indent) {
            (false, 0) => w.write_all(b"\n"),
            (false, 1) => w.write_all(b"\n  "),
            (false, 2) => w.write_all(b"\n    "),
            (false, 3) => w.write_all(b"\n      "),
            (true, 0) => w.write_all(b",\n"),
            (true, 1) => w.write_all(b",\n  "),
            (true, 2) => w.write_all(b",\n    "),
            (true, 3) => w.write_all(b",\n      "),
            // Deeper than `show --json` nests.
            (comma, n) => {
                w.write_all(if comma { b",\n" } else { b"\n" })?;
                (0..n).try_for_each(|_| w.write_all(b"  "))
            }
        }
    }

    fn open(
        &mut self,
        w: &mut (impl Write + ?Sized),
        bracket: &[u8],
    ) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close(
        &mut self,
        w: &mut (impl Write + ?Sized),
        bracket: &[u8],
    ) -> io::Result<()> {
        self.level = self.level.saturating_sub(1);
        if (self.flat && self.level == 0) || self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(bracket)
    }

    fn member(
        &mut self,
        w: &mut (impl Write + ?Sized),
        first: bool,
    ) -> io::Result<()> {
        self.newline(w, !first)
    }
}

impl Formatter for Layout {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.level == 0 {
            self.flat = true;
        }
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.member(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(
        &mut self,
        _: &mut W,
    ) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.member(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
    ) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(
        &mut self,
        _: &mut W,
    ) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// An array of what `items` yields, serialised as it is iterated. Made
/// from a function so a view stays a borrow: nothing is collected.
pub(crate) struct Seq<F>(pub(crate) F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

/// An array of views `V` of the items of a slice.
pub(crate) struct Each<'a, T, V>(&'a [T], PhantomData<fn() -> V>);

impl<'a, T, V> Each<'a, T, V> {
    pub(crate) fn new(items: &'a [T]) -> Self {
        Each(items, PhantomData)
    }
}

impl<'a, T, V: From<&'a T> + Serialize> Serialize for Each<'a, T, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(V::from))
    }
}

/// Serialises with a value's `Display`, without formatting it into a
/// `String` first.
pub(crate) struct Shown<'a, T: ?Sized>(pub(crate) &'a T);

impl<T: std::fmt::Display + ?Sized> Serialize for Shown<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    fn to_string<T: Serialize>(v: &T) -> String {
        let mut out = Vec::new();
        write(&mut out, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[derive(Serialize)]
    struct Item<'a> {
        name: &'a str,
        n: u32,
        list: &'a [&'a str],
        none: Option<u32>,
    }

    const ITEMS: [Item<'static>; 2] = [
        Item { name: "a\"b", n: 1, list: &[], none: None },
        Item { name: "c", n: 2, list: &["x", "y"], none: None },
    ];

    #[test]
    fn an_object_is_laid_out_as_serde_json_pretty_prints_it() {
        for item in &ITEMS {
            let pretty = serde_json::to_string_pretty(item).unwrap();
            assert_eq!(to_string(item), pretty + "\n");
        }
    }

    #[test]
    fn a_top_level_array_puts_its_elements_at_column_0() {
        let mut want = String::from("[");
        for (i, item) in ITEMS.iter().enumerate() {
            want += if i == 0 { "\n" } else { ",\n" };
            want += &serde_json::to_string_pretty(item).unwrap();
        }
        want += "\n]\n";
        assert_eq!(to_string(&Seq(|| ITEMS.iter())), want);
        assert_eq!(to_string(&Seq(|| ITEMS.iter().filter(|_| true))), want);
        assert_eq!(to_string(&Seq(|| ITEMS.iter().take(0))), "[\n]\n");
        assert_eq!(
            to_string(&Seq(|| ITEMS.iter().filter(|_| false))),
            "[\n]\n"
        );
    }

    #[test]
    fn a_nested_array_is_pretty() {
        let nested: [&[u32]; 3] = [&[], &[1, 2], &[]];
        assert_eq!(to_string(&nested), "[\n[],\n[\n  1,\n  2\n],\n[]\n]\n");
    }

    #[test]
    fn compact_parts_stay_on_one_line() {
        #[derive(Serialize)]
        struct Outer {
            a: Box<RawValue>,
            b: u32,
        }
        let a = compact::<_, serde_json::Error>(&ITEMS[1]).unwrap();
        let outer = Outer { a, b: 3 };
        assert_eq!(
            to_string(&outer),
            "{\n  \"a\": {\"name\":\"c\",\"n\":2,\"list\":[\"x\",\"y\"],\"none\":null},\n  \"b\": 3\n}\n"
        );
    }

    #[test]
    fn shown_is_the_display_as_a_string() {
        assert_eq!(to_string(&Shown(&"q\"")), "\"q\\\"\"\n");
    }
}
