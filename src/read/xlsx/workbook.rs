//! The workbook part and its relationships: the sheets in order (visible or not, where
//! each part is) and the defined names.

use super::*;

pub(super) struct Sheet {
    pub(super) name: String,
    pub(super) visible: bool,
    pub(super) part: String,
}

pub(super) struct Book {
    pub(super) sheets: Vec<Sheet>,
    pub(super) names: Vec<(String, String)>,
}

pub(super) fn small_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    meter: &Meter,
) -> Result<Vec<u8>> {
    let mut part = zip
        .by_name(name)
        .map_err(|_| Unsupported("a part missing"))?;
    let mut bytes = Vec::new();
    (&mut part)
        .take((64 << 20) + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| Unsupported("part cannot be inflated"))?;
    meter.take(bytes.len() as u64)?;
    if bytes.len() > 64 << 20 {
        return Err(Unsupported("a workbook part beyond 64 MiB"));
    }
    Ok(bytes)
}

pub(super) fn workbook(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, meter: &Meter) -> Result<Book> {
    // the workbook where Excel puts it: any other place is calamine's to find
    let root = small_part(zip, "_rels/.rels", meter)?;
    let mut main = None;
    tokens(&root[..], 0, &Meter::unlimited(), |t| {
        if let Token::Start { name, attrs } = t {
            if local(name) == b"Relationship"
                && attr(attrs, b"Type")?.is_some_and(|t| t.ends_with(b"/officeDocument"))
            {
                main = attr(attrs, b"Target")?.map(<[u8]>::to_vec);
            }
        }
        Ok(())
    })?;
    if !matches!(
        main.as_deref(),
        Some(b"xl/workbook.xml" | b"/xl/workbook.xml")
    ) {
        return Err(Unsupported("the workbook is not xl/workbook.xml"));
    }
    let rels = small_part(zip, "xl/_rels/workbook.xml.rels", meter)?;
    let mut targets: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = Vec::new(); // id, type, target
    tokens(&rels[..], 0, &Meter::unlimited(), |t| {
        if let Token::Start { name, attrs } = t {
            if local(name) == b"Relationship" {
                if let Some(id) = attr(attrs, b"Id")? {
                    let typ = attr(attrs, b"Type")?.unwrap_or_default();
                    let target = attr(attrs, b"Target")?.unwrap_or_default();
                    targets.push((id.to_vec(), typ.to_vec(), target.to_vec()));
                }
            }
        }
        Ok(())
    })?;
    let xml = small_part(zip, "xl/workbook.xml", meter)?;
    let mut sheets = Vec::new();
    let mut names = Vec::new();
    // inside a definedName: its name and text so far
    let mut defined: Option<(String, String)> = None;
    let mut closed = false;
    tokens(&xml[..], 0, &Meter::unlimited(), |t| {
        match t {
            Token::Start { name, attrs } if local(name) == b"sheet" => {
                let (mut sheet, mut state, mut id) = (None, None, None);
                attributes(attrs, |key, value| match key {
                    b"name" => sheet = Some(value),
                    b"state" => state = Some(value),
                    _ if local(key) == b"id" => id = Some(value),
                    _ => {}
                })?;
                let visible = match state {
                    None | Some(b"visible") => true,
                    Some(b"hidden" | b"veryHidden") => false,
                    Some(_) => return Err(Unsupported("an unknown sheet state")),
                };
                let (_, typ, target) = targets
                    .iter()
                    .find(|(i, _, _)| Some(i.as_slice()) == id)
                    .ok_or(Unsupported("a sheet without its relationship"))?;
                if !typ.ends_with(b"/worksheet") {
                    return Err(Unsupported("a chart or dialog sheet"));
                }
                let target = utf8(target)?;
                let part = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("xl/{target}"),
                };
                sheets.push(Sheet {
                    name: attr_text(sheet.unwrap_or_default())?,
                    visible,
                    part,
                });
            }
            Token::Start { name, attrs } if local(name) == b"definedName" => {
                if let Some(n) = attr(attrs, b"name")? {
                    defined = Some((attr_text(n)?, String::new()));
                }
            }
            Token::Text(raw) => {
                if let Some((_, text)) = &mut defined {
                    push_text(raw, true, text)?;
                }
            }
            Token::End { name } if local(name) == b"definedName" => {
                names.extend(defined.take());
            }
            Token::End { name } if local(name) == b"workbook" => closed = true,
            _ => {}
        }
        Ok(())
    })?;
    if !closed {
        return Err(Unsupported("the workbook not closed"));
    }
    Ok(Book { sheets, names })
}
