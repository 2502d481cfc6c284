//! The package's small parts: `[Content_Types].xml`, the relationships, `xl/workbook.xml`
//! (sheets and defined names), the document properties (a fixed creation date) and the
//! theme (Office's default, which Excel expects every workbook to name).

use std::fmt::Write;

use super::xml::{escape, escape_text};

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const SHEET_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";

/// What the package holds, for its content types: the number of sheets, and the
/// numbers of the comments parts (one per sheet with notes).
pub(crate) fn content_types_xml(sheets: usize, comments: usize) -> String {
    let mut x = String::with_capacity(1024 + 160 * (sheets + comments));
    x.push_str(XML_HEAD);
    x.push_str(
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    );
    if comments > 0 {
        x.push_str(
            "<Default Extension=\"vml\" \
             ContentType=\"application/vnd.openxmlformats-officedocument.vmlDrawing\"/>",
        );
    }
    x.push_str(
        "<Override PartName=\"/docProps/app.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" \
         ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>",
    );
    let _ = write!(
        x,
        "<Override PartName=\"/xl/styles.xml\" ContentType=\"{SHEET_TYPE}.styles+xml\"/>\
         <Override PartName=\"/xl/theme/theme1.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"{SHEET_TYPE}.sheet.main+xml\"/>"
    );
    for k in 1..=sheets {
        let _ = write!(
            x,
            "<Override PartName=\"/xl/worksheets/sheet{k}.xml\" \
             ContentType=\"{SHEET_TYPE}.worksheet+xml\"/>"
        );
    }
    for k in 1..=comments {
        let _ = write!(
            x,
            "<Override PartName=\"/xl/comments{k}.xml\" ContentType=\"{SHEET_TYPE}.comments+xml\"/>"
        );
    }
    x.push_str("</Types>");
    x
}

/// `xl/theme/theme1.xml`: Office's default theme, as Excel writes it.
pub(crate) const THEME_XML: &str = include_str!("theme1.xml");

/// `_rels/.rels`: the workbook and the properties.
pub(crate) fn root_rels_xml() -> String {
    format!(
        "{XML_HEAD}<Relationships xmlns=\"{RELS}\">\
         <Relationship Id=\"rId1\" Type=\"{DOC_RELS}/officeDocument\" Target=\"xl/workbook.xml\"/>\
         <Relationship Id=\"rId2\" Type=\"{RELS}/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
         <Relationship Id=\"rId3\" Type=\"{DOC_RELS}/extended-properties\" Target=\"docProps/app.xml\"/>\
         </Relationships>"
    )
}

/// `xl/_rels/workbook.xml.rels`: the sheets (`rId1` …), then the theme and the styles.
pub(crate) fn workbook_rels_xml(sheets: usize) -> String {
    let mut x = format!("{XML_HEAD}<Relationships xmlns=\"{RELS}\">");
    for k in 1..=sheets {
        let _ = write!(
            x,
            "<Relationship Id=\"rId{k}\" Type=\"{DOC_RELS}/worksheet\" \
             Target=\"worksheets/sheet{k}.xml\"/>"
        );
    }
    let _ = write!(
        x,
        "<Relationship Id=\"rId{}\" Type=\"{DOC_RELS}/theme\" Target=\"theme/theme1.xml\"/>\
         <Relationship Id=\"rId{}\" Type=\"{DOC_RELS}/styles\" Target=\"styles.xml\"/>\
         </Relationships>",
        sheets + 1,
        sheets + 2
    );
    x
}

/// `xl/worksheets/_rels/sheetN.xml.rels` of a sheet with notes: its drawing (`rId1`)
/// and comments (`rId2`), both numbered `k`.
pub(crate) fn sheet_rels_xml(k: usize) -> String {
    format!(
        "{XML_HEAD}<Relationships xmlns=\"{RELS}\">\
         <Relationship Id=\"rId1\" Type=\"{DOC_RELS}/vmlDrawing\" \
         Target=\"../drawings/vmlDrawing{k}.vml\"/>\
         <Relationship Id=\"rId2\" Type=\"{DOC_RELS}/comments\" Target=\"../comments{k}.xml\"/>\
         </Relationships>"
    )
}

/// A defined name of the workbook: its name, its sheet (for a sheet's own name), its
/// formula (without `=`), and whether Excel hides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DefinedName {
    pub name: String,
    pub sheet: Option<usize>,
    pub formula: String,
    pub hidden: bool,
}

/// `xl/workbook.xml`: the sheets by name, then the defined names, ordered as Excel
/// orders them (by name without its `_xlnm.` prefix, then by sheet).
pub(crate) fn workbook_xml(sheets: &[&str], names: &[DefinedName]) -> String {
    let mut x = String::with_capacity(1024 + 100 * (sheets.len() + names.len()));
    x.push_str(XML_HEAD);
    let _ = write!(
        x,
        "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:r=\"{DOC_RELS}\"><fileVersion appName=\"xl\" lastEdited=\"4\" \
         lowestEdited=\"4\" rupBuild=\"4505\"/><workbookPr defaultThemeVersion=\"124226\"/><bookViews>\
         <workbookView xWindow=\"240\" yWindow=\"15\" windowWidth=\"16095\" \
         windowHeight=\"9660\"/></bookViews><sheets>"
    );
    for (k, name) in sheets.iter().enumerate() {
        let _ = write!(
            x,
            "<sheet name=\"{}\" sheetId=\"{}\" r:id=\"rId{}\"/>",
            escape(name),
            k + 1,
            k + 1
        );
    }
    x.push_str("</sheets>");
    if !names.is_empty() {
        let mut sorted: Vec<&DefinedName> = names.iter().collect();
        sorted.sort_by_key(|n| {
            (
                n.name.trim_start_matches("_xlnm.").to_lowercase(),
                n.sheet.map_or(0, |s| s + 1),
            )
        });
        x.push_str("<definedNames>");
        for n in sorted {
            let _ = write!(x, "<definedName name=\"{}\"", escape(&n.name));
            if let Some(sheet) = n.sheet {
                let _ = write!(x, " localSheetId=\"{sheet}\"");
            }
            if n.hidden {
                x.push_str(" hidden=\"1\"");
            }
            let _ = write!(x, ">{}</definedName>", escape_text(&n.formula));
        }
        x.push_str("</definedNames>");
    }
    x.push_str("<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>");
    x
}

/// `docProps/app.xml`: the application and the sheets' names.
pub(crate) fn app_xml(sheets: &[&str]) -> String {
    let mut x = String::with_capacity(1024);
    x.push_str(XML_HEAD);
    let _ = write!(
        x,
        "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>\
         <ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size=\"2\" baseType=\"variant\">\
         <vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}</vt:i4>\
         </vt:variant></vt:vector></HeadingPairs><TitlesOfParts>\
         <vt:vector size=\"{n}\" baseType=\"lpstr\">",
        n = sheets.len()
    );
    for name in sheets {
        let _ = write!(x, "<vt:lpstr>{}</vt:lpstr>", escape(name));
    }
    x.push_str(
        "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate>\
         <SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>\
         <AppVersion>12.0000</AppVersion></Properties>",
    );
    x
}

/// `docProps/core.xml`: created and modified on `date` (year, month, day), midnight UTC.
pub(crate) fn core_xml(date: (u16, u8, u8)) -> String {
    let (y, m, d) = date;
    format!(
        "{XML_HEAD}<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:creator></dc:creator>\
         <cp:lastModifiedBy></cp:lastModifiedBy>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{y:04}-{m:02}-{d:02}T00:00:00Z</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{y:04}-{m:02}-{d:02}T00:00:00Z</dcterms:modified>\
         </cp:coreProperties>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_of_two_sheets_one_with_notes() {
        assert_eq!(
            content_types_xml(2, 1),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Default Extension=\"vml\" ContentType=\"application/vnd.openxmlformats-officedocument.vmlDrawing\"/>\
             <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
             <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
             <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
             <Override PartName=\"/xl/theme/theme1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
             <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
             <Override PartName=\"/xl/worksheets/sheet2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
             <Override PartName=\"/xl/comments1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml\"/>\
             </Types>"
        );
    }

    #[test]
    fn the_relationships() {
        assert_eq!(
            root_rels_xml(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
             <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
             <Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
             </Relationships>"
        );
        assert_eq!(
            workbook_rels_xml(1),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
             <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme\" Target=\"theme/theme1.xml\"/>\
             <Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
             </Relationships>"
        );
        assert_eq!(
            sheet_rels_xml(2),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing\" Target=\"../drawings/vmlDrawing2.vml\"/>\
             <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments\" Target=\"../comments2.xml\"/>\
             </Relationships>"
        );
    }

    #[test]
    fn the_workbook_with_its_names_in_excels_order() {
        let name = |name: &str, sheet, formula: &str, hidden| DefinedName {
            name: name.to_string(),
            sheet,
            formula: formula.to_string(),
            hidden,
        };
        let names = [
            name("_xlnm.Print_Titles", Some(1), "変更点!$1:$1", false),
            name("kpiroll_output", None, "\"working\"", false),
            name("_xlnm._FilterDatabase", Some(1), "変更点!$A$1:$G$17", true),
            name("_xlnm.Print_Titles", Some(0), "一覧!$4:$4", false),
        ];
        assert_eq!(
            workbook_xml(&["一覧", "変更点"], &names),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
             <fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/>\
             <workbookPr defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" yWindow=\"15\" \
             windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>\
             <sheet name=\"一覧\" sheetId=\"1\" r:id=\"rId1\"/>\
             <sheet name=\"変更点\" sheetId=\"2\" r:id=\"rId2\"/></sheets><definedNames>\
             <definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"1\" hidden=\"1\">変更点!$A$1:$G$17</definedName>\
             <definedName name=\"kpiroll_output\">\"working\"</definedName>\
             <definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">一覧!$4:$4</definedName>\
             <definedName name=\"_xlnm.Print_Titles\" localSheetId=\"1\">変更点!$1:$1</definedName>\
             </definedNames><calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>"
        );
    }

    #[test]
    fn the_properties_with_a_fixed_date() {
        assert_eq!(
            core_xml((2025, 4, 1)),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
             xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
             <dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>\
             <dcterms:created xsi:type=\"dcterms:W3CDTF\">2025-04-01T00:00:00Z</dcterms:created>\
             <dcterms:modified xsi:type=\"dcterms:W3CDTF\">2025-04-01T00:00:00Z</dcterms:modified>\
             </cp:coreProperties>"
        );
        assert_eq!(
            app_xml(&["一覧"]),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
             xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
             <Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>\
             <HeadingPairs><vt:vector size=\"2\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>\
             <vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>\
             <TitlesOfParts><vt:vector size=\"1\" baseType=\"lpstr\"><vt:lpstr>一覧</vt:lpstr></vt:vector></TitlesOfParts>\
             <Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>\
             <HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>"
        );
    }
}
