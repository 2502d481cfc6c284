//! Two lists of keys paired with a polars full join: the consolidation (last year × this
//! year) and `diff` (old × new book) match rows this way.

use crate::model::Key;

/// Pairs two lists of keys (事務事業番号, KPI position) with a polars full join: for
/// each pair the position in `left`, in `right`, or both. The consolidation (last year ×
/// this year) and `diff` (old × new book) both match rows this way.
///
/// # Errors
/// polars failures building or joining the key frames.
pub fn join_keys(
    left: &[Key],
    right: &[Key],
) -> polars::prelude::PolarsResult<Vec<(Option<usize>, Option<usize>)>> {
    use polars::prelude::*;
    let frame = |keys: &[Key], idx: &str| {
        df!(
            "key" => keys.iter().map(|k| k.project_no.as_str()).collect::<Vec<_>>(),
            "kpi" => keys.iter().map(|k| k.kpi_index).collect::<Vec<u32>>(),
            idx => (0..keys.len() as u32).collect::<Vec<u32>>(),
        )
    };
    let joined = frame(left, "left")?
        .lazy()
        .join(
            frame(right, "right")?.lazy(),
            [col("key"), col("kpi")],
            [col("key"), col("kpi")],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .collect()?;
    let position = |c: Option<u32>| c.map(|i| i as usize);
    Ok(joined
        .column("left")?
        .u32()?
        .iter()
        .zip(joined.column("right")?.u32()?.iter())
        .map(|(l, r)| (position(l), position(r)))
        .collect())
}
