/** The values of rows by their key, each key's in the order the rows came. */
export function groupedBy<Row, Key, Value> (rows: Row[], key: (row: Row) => Key, value: (row: Row) => Value): Map<Key, Value[]> {
  const groups = new Map<Key, Value[]>()
  for (const row of rows) {
    const group = groups.get(key(row))
    if (group === undefined) groups.set(key(row), [value(row)])
    else group.push(value(row))
  }
  return groups
}
