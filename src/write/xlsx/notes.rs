//! A sheet's notes: `xl/commentsN.xml` (their texts and authors) and
//! `xl/drawings/vmlDrawingN.vml` (their hidden yellow boxes, the legacy drawing Excel
//! still reads notes by), in Excel's shape: the box one column right of its cell and
//! a row up, 128 × 74 pixels.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::xml::escape;

/// A note on a cell, as rust_xlsxwriter's `Note`: its text and, optionally, its author
/// (shown in bold above the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    author: Option<String>,
}

impl Note {
    pub fn new(text: impl Into<String>) -> Note {
        Note {
            text: text.into(),
            author: None,
        }
    }

    /// Whether the text is longer than a note holds (a cell's text).
    pub(crate) fn too_long(&self) -> bool {
        crate::model::too_long_for_a_cell(&self.text)
    }

    #[must_use]
    pub fn set_author(mut self, author: impl Into<String>) -> Note {
        self.author = Some(author.into());
        self
    }
}

/// A note's box size in pixels, and its offset from the top left of its anchor cell.
const BOX_PX: (u32, u32) = (128, 74);
const OFFSET_PX: (u32, u32) = (15, 10);
/// Excel's grid.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLS: u16 = 16_384;
/// VML shape ids come in blocks of 1,024 per drawing.
const SHAPES_PER_BLOCK: u32 = 1024;

/// A note placed on its sheet: its cell, and its box in pixels (absolute top left,
/// and the anchor: start column and offset, start row and offset, end column and
/// offset, end row and offset).
pub(crate) struct Placed<'a> {
    pub row: u32,
    pub col: u16,
    pub note: &'a Note,
    pub left_px: u32,
    pub top_px: u32,
    pub anchor: [u32; 8],
}

/// The cell (row, column) a note's box starts in, and its offset there (Excel's
/// placement: one column right, one row up, except at the top of the sheet).
fn box_origin(row: u32, col: u16) -> ((u32, u16), (u32, u32)) {
    let start = (row.saturating_sub(1), col.saturating_add(1).min(16_383));
    let y = if row == 0 { 2 } else { OFFSET_PX.1 };
    (start, (OFFSET_PX.0, y))
}

/// `notes` (by cell), each with its box placed by the sheet's column widths and row
/// heights in pixels (`col_px`, `row_px`), as Excel places it: the absolute top left,
/// and the anchor cells and offsets the box spans.
pub(crate) fn place<'a>(
    notes: &'a BTreeMap<(u32, u16), Note>,
    col_px: impl Fn(u16) -> u32,
    row_px: impl Fn(u32) -> u32,
) -> Vec<Placed<'a>> {
    // the rows' offsets summed once, forward (notes come in row order)
    let mut row_mark = (0u32, 0u32);
    let mut row_offset = |row: u32| {
        if row < row_mark.0 {
            row_mark = (0, 0);
        }
        let (from, mut offset) = row_mark;
        for r in from..row {
            offset += row_px(r);
        }
        row_mark = (row, offset);
        offset
    };
    let col_offset = |col: u16| (0..col).map(&col_px).sum::<u32>();
    let mut placed = Vec::with_capacity(notes.len());
    for (&(row, col), note) in notes {
        let ((mut r0, mut c0), (mut x1, mut y1)) = box_origin(row, col);
        let left_px = col_offset(c0) + x1;
        let top_px = row_offset(r0) + y1;
        while x1 >= col_px(c0) && c0 + 1 < MAX_COLS {
            x1 -= col_px(c0);
            c0 += 1;
        }
        while y1 >= row_px(r0) && r0 + 1 < MAX_ROWS {
            y1 -= row_px(r0);
            r0 += 1;
        }
        let (mut c1, mut r1) = (c0, r0);
        let (mut x2, mut y2) = (BOX_PX.0 + x1, BOX_PX.1 + y1);
        while x2 >= col_px(c1) && c1 + 1 < MAX_COLS {
            x2 -= col_px(c1);
            c1 += 1;
        }
        while y2 >= row_px(r1) && r1 + 1 < MAX_ROWS {
            y2 -= row_px(r1);
            r1 += 1;
        }
        placed.push(Placed {
            row,
            col,
            note,
            left_px,
            top_px,
            anchor: [u32::from(c0), x1, r0, y1, u32::from(c1), x2, r1, y2],
        });
    }
    placed
}

/// The comments part of notes `placed` (in row, column order).
pub(crate) fn comments_xml(placed: &[Placed]) -> String {
    let mut authors: Vec<&str> = Vec::new();
    for p in placed {
        let author = p.note.author.as_deref().unwrap_or("");
        if !authors.contains(&author) {
            authors.push(author);
        }
    }
    let mut x = String::with_capacity(256 + 400 * placed.len());
    x.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
        "<comments xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><authors>"
    ));
    for a in &authors {
        let _ = write!(x, "<author>{}</author>", escape(a));
    }
    x.push_str("</authors><commentList>");
    const FONT: &str =
        "<sz val=\"8\"/><color indexed=\"81\"/><rFont val=\"Tahoma\"/><family val=\"2\"/>";
    for p in placed {
        let author = p.note.author.as_deref().unwrap_or("");
        let id = authors.iter().position(|a| *a == author).unwrap_or(0);
        let _ = write!(
            x,
            "<comment ref=\"{}\" authorId=\"{id}\"><text>",
            rust_xlsxwriter::utility::row_col_to_cell(p.row, p.col)
        );
        let text = escape(&p.note.text);
        if author.is_empty() {
            let _ = write!(
                x,
                "<r><rPr>{FONT}</rPr><t xml:space=\"preserve\">{text}</t></r>"
            );
        } else {
            let _ = write!(
                x,
                "<r><rPr><b/>{FONT}</rPr><t>{}:</t></r>\
                 <r><rPr>{FONT}</rPr><t xml:space=\"preserve\">\n{text}</t></r>",
                escape(author)
            );
        }
        x.push_str("</text></comment>");
    }
    x.push_str("</commentList></comments>");
    x
}

/// The number of VML id blocks `notes` notes take (each drawing's first block follows
/// the blocks of the drawings before it).
pub(crate) fn id_blocks(notes: usize) -> u32 {
    notes as u32 / SHAPES_PER_BLOCK + 1
}

/// The VML drawing of notes `placed`, its ids from block `data_id` (the first drawing's
/// is 1).
pub(crate) fn vml_xml(data_id: u32, placed: &[Placed]) -> String {
    // one id block per 1,024 notes: `data="1"`, `data="1,2"` …
    let ids: Vec<String> = (0..id_blocks(placed.len()))
        .map(|b| (data_id + b).to_string())
        .collect();
    let mut x = String::with_capacity(1024 + 700 * placed.len());
    let _ = write!(
        x,
        "<xml xmlns:v=\"urn:schemas-microsoft-com:vml\" \
         xmlns:o=\"urn:schemas-microsoft-com:office:office\" \
         xmlns:x=\"urn:schemas-microsoft-com:office:excel\">\
         <o:shapelayout v:ext=\"edit\"><o:idmap v:ext=\"edit\" data=\"{}\"/></o:shapelayout>\
         <v:shapetype id=\"_x0000_t202\" coordsize=\"21600,21600\" o:spt=\"202\" \
         path=\"m,l,21600r21600,l21600,xe\"><v:stroke joinstyle=\"miter\"/>\
         <v:path gradientshapeok=\"t\" o:connecttype=\"rect\"/></v:shapetype>",
        ids.join(",")
    );
    // 96 dpi pixels to points, rounded as Excel rounds them
    let pt = |px: u32| (f64::from(px) + 0.25).floor() * 0.75;
    for (k, p) in placed.iter().enumerate() {
        let a = p.anchor;
        let _ = write!(
            x,
            "<v:shape id=\"_x0000_s{}\" type=\"#_x0000_t202\" style=\"position:absolute;\
             margin-left:{}pt;margin-top:{}pt;width:{}pt;height:{}pt;z-index:{};\
             visibility:hidden\" fillcolor=\"#ffffe1\" o:insetmode=\"auto\">\
             <v:fill color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" obscured=\"t\"/>\
             <v:path o:connecttype=\"none\"/><v:textbox style=\"mso-direction-alt:auto\">\
             <div style=\"text-align:left\"></div></v:textbox>\
             <x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/>\
             <x:Anchor>{}, {}, {}, {}, {}, {}, {}, {}</x:Anchor><x:AutoFill>False</x:AutoFill>\
             <x:Row>{}</x:Row><x:Column>{}</x:Column></x:ClientData></v:shape>",
            SHAPES_PER_BLOCK * data_id + 1 + k as u32,
            pt(p.left_px),
            pt(p.top_px),
            pt(BOX_PX.0),
            pt(BOX_PX.1),
            k + 1,
            a[0],
            a[1],
            a[2],
            a[3],
            a[4],
            a[5],
            a[6],
            a[7],
            p.row,
            p.col
        );
    }
    x.push_str("</xml>");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_comments_and_vml_of_one_note() {
        let note = Note::new("前年度: 350 & <more>").set_author("kpiroll");
        let placed = [Placed {
            row: 5,
            col: 4,
            note: &note,
            left_px: 432,
            top_px: 110,
            anchor: [5, 15, 4, 10, 7, 1, 5, 64],
        }];
        assert_eq!(
            comments_xml(&placed),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <comments xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
             <authors><author>kpiroll</author></authors><commentList>\
             <comment ref=\"E6\" authorId=\"0\"><text>\
             <r><rPr><b/><sz val=\"8\"/><color indexed=\"81\"/><rFont val=\"Tahoma\"/><family val=\"2\"/></rPr><t>kpiroll:</t></r>\
             <r><rPr><sz val=\"8\"/><color indexed=\"81\"/><rFont val=\"Tahoma\"/><family val=\"2\"/></rPr>\
             <t xml:space=\"preserve\">\n前年度: 350 &amp; &lt;more&gt;</t></r>\
             </text></comment></commentList></comments>"
        );
        assert_eq!(
            vml_xml(1, &placed),
            "<xml xmlns:v=\"urn:schemas-microsoft-com:vml\" \
             xmlns:o=\"urn:schemas-microsoft-com:office:office\" \
             xmlns:x=\"urn:schemas-microsoft-com:office:excel\">\
             <o:shapelayout v:ext=\"edit\"><o:idmap v:ext=\"edit\" data=\"1\"/></o:shapelayout>\
             <v:shapetype id=\"_x0000_t202\" coordsize=\"21600,21600\" o:spt=\"202\" \
             path=\"m,l,21600r21600,l21600,xe\"><v:stroke joinstyle=\"miter\"/>\
             <v:path gradientshapeok=\"t\" o:connecttype=\"rect\"/></v:shapetype>\
             <v:shape id=\"_x0000_s1025\" type=\"#_x0000_t202\" style=\"position:absolute;\
             margin-left:324pt;margin-top:82.5pt;width:96pt;height:55.5pt;z-index:1;\
             visibility:hidden\" fillcolor=\"#ffffe1\" o:insetmode=\"auto\">\
             <v:fill color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" obscured=\"t\"/>\
             <v:path o:connecttype=\"none\"/><v:textbox style=\"mso-direction-alt:auto\">\
             <div style=\"text-align:left\"></div></v:textbox>\
             <x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/>\
             <x:Anchor>5, 15, 4, 10, 7, 1, 5, 64</x:Anchor><x:AutoFill>False</x:AutoFill>\
             <x:Row>5</x:Row><x:Column>4</x:Column></x:ClientData></v:shape></xml>"
        );
    }

    #[test]
    fn a_box_starts_a_column_right_and_a_row_up() {
        assert_eq!(box_origin(5, 4), ((4, 5), (15, 10)));
        assert_eq!(box_origin(0, 0), ((0, 1), (15, 2)));
    }
}
