using System.Globalization;
using TypedMixed.Cli.Data;
using TypedMixed.Cli.Formulas;
using TypedMixed.Data.DuckDb;

namespace TypedMixed.Cli.Design;

/// <summary>A design built by <see cref="StreamingDesignBuilder"/>, with the number of rows the source had.</summary>
internal sealed record StreamedDesign(BuiltDesign Built, int SourceRows);

/// <summary>
/// Builds the same design as <see cref="DesignBuilder.Build"/> in one streaming pass over the source, without holding
/// the table: each chunk of rows DuckDB hands over is written straight into the design's own arrays (the response, the
/// column-major X, the random-effects columns, a level index per grouping factor), sized once from the source's row
/// count. The peak memory is then about the design itself, where reading the table first held every source column and
/// the design together (issue 11: a 10-million-row file read and designed within twice its numeric columns' size).
/// </summary>
/// <remarks>
/// It covers the common large-data model: a plain numeric response (any family); fixed effects that are the intercept,
/// numeric columns and factors (text columns, <c>factor()</c>, <c>relevel()</c>: treatment contrasts, their indicator
/// columns filled from the levels at the end), random-effects columns that are the intercept and numeric columns (no
/// interactions, function terms or offsets anywhere); grouping factors from numeric or text columns (levels in the table path's order: numerically when every value of the column
/// is a number, else the text in ordinal order; the reference level first); prior weights. Anything else — and every
/// data problem (a non-finite value, an invalid weight or response, no complete row, a file DuckDB cannot stream) —
/// returns null, and the caller reads the table and uses <see cref="DesignBuilder"/>, whose messages name the file,
/// row, column and fix. Rows with a missing value in any column the formula uses are dropped and counted, as there.
/// </remarks>
internal static class StreamingDesignBuilder
{
    /// <summary>Thrown inside the pass when the table path must take over (its message is never shown).</summary>
    private sealed class Decline : Exception;

    /// <summary>Where a numeric variable's value of each kept row goes: column <c>Column</c> of <c>Buffer</c>.</summary>
    private readonly record struct Destination(RowBuffer<double> Buffer, int Column);

    /// <summary>A numeric column's destinations.</summary>
    private sealed class NumericInput(int chunkColumn)
    {
        public int ChunkColumn { get; } = chunkColumn;

        public List<Destination> Destinations { get; } = [];

        public bool MustBePositive { get; init; }
    }

    /// <summary>
    /// A grouping factor: a first-seen id per kept row, renumbered to R's level order at the end. From a numeric column
    /// the ids are of values; from a text column of strings, whose levels are numbers (numerically sorted, as the table
    /// path's read.csv rule types the column) when every present value of the column parses, else the text.
    /// </summary>
    private sealed class FactorInput(Variable variable, int chunkColumn, int capacity, bool isText)
    {
        public Variable Variable { get; } = variable;

        public int ChunkColumn { get; } = chunkColumn;

        public bool IsText { get; } = isText;

        public Dictionary<string, int> TextIdOf { get; } = new(StringComparer.Ordinal);

        public List<string> Texts { get; } = [];

        private readonly List<bool> _parses = [];

        /// <summary>Present values of the text column (kept and dropped rows), and how many of them are numbers.</summary>
        public long Present { get; private set; }

        /// <inheritdoc cref="Present"/>
        public long Parsed { get; private set; }

        /// <summary>True when every present value of the column (on any row, kept or not) is a number: read.csv's numeric column.</summary>
        public bool AllParse => Parsed == Present;

        /// <summary>The id of text <paramref name="s"/> on a kept row.</summary>
        public int TextId(string s)
        {
            if (!TextIdOf.TryGetValue(s, out int id))
            {
                id = Texts.Count;
                TextIdOf[s] = id;
                Texts.Add(s);
                _parses.Add(Parses(s));
            }
            Present++;
            if (_parses[id]) Parsed++;
            return id;
        }

        /// <summary>Notes a present value of a dropped row for the column's typing.</summary>
        public void Check(string s)
        {
            Present++;
            if (Parses(s)) Parsed++;
        }

        // As CsvColumn.FromText counts a value as parsed.
        private static bool Parses(string s) => (CsvColumn.TryParseNumber(s, out double x) && !double.IsNaN(x)) || s == "NaN";

        /// <summary>The levels in R's order (reference first) and the level of each id.</summary>
        public (List<string> Levels, int[] Renumber) Levels(IReadOnlyDictionary<string, string> references)
        {
            var v = Variable;
            if (IsText && !AllParse)
            {
                var levels = Texts.Order(StringComparer.Ordinal).ToList();
                var position = DesignBuilder.Reorder(levels, v.Column, references, v.Label);
                return (levels, Texts.Select(t => position[t]).ToArray());
            }
            // Numbers: distinct values (in first-seen order, so -0 or 0 is named as the table path names it), sorted.
            var values = IsText ? Texts.Select(t => CsvColumn.TryParseNumber(t, out double x) ? x : double.NaN).ToList() : Values;
            var distinct = new HashSet<double>();
            foreach (var d in values) distinct.Add(d);
            var numbers = distinct.Order().Select(d => d.ToString("R", CultureInfo.InvariantCulture)).ToList();
            var at = DesignBuilder.Reorder(numbers, v.Column, references, v.Label);
            var byValue = new Dictionary<double, int>();
            foreach (var d in distinct) byValue[d] = at[d.ToString("R", CultureInfo.InvariantCulture)];
            return (numbers, values.Select(d => byValue[d]).ToArray());
        }

        public RowBuffer<int> Ids { get; } = new(1, capacity);

        public Dictionary<double, int> IdOf { get; } = [];

        public List<double> Values { get; } = [];

        /// <summary>Ids of the small non-negative integers seen (id + 1; 0 when not seen), the usual coding of a grouping column: no hashing per row.</summary>
        private int[] _smallIds = new int[1024];

        private const int SmallLimit = 1 << 22;

        /// <summary>The id of value <paramref name="v"/>, a new one the first time it is seen.</summary>
        public int Id(double v)
        {
            if (v >= 0 && v < SmallLimit && v == Math.Floor(v)) // -0 shares 0's slot, as the table path's HashSet does
            {
                int k = (int)v;
                if (k >= _smallIds.Length) Array.Resize(ref _smallIds, Math.Max(k + 1, Math.Min(2 * _smallIds.Length, SmallLimit)));
                int id = _smallIds[k] - 1;
                if (id < 0)
                {
                    id = New(v);
                    _smallIds[k] = id + 1;
                }
                return id;
            }
            return IdOf.TryGetValue(v, out int other) ? other : New(v);
        }

        private int New(double v)
        {
            int id = Values.Count;
            IdOf[v] = id;
            Values.Add(v);
            return id;
        }
    }

    /// <summary>
    /// The design of <paramref name="formula"/> over <paramref name="source"/>, or null when the model or the data is
    /// outside what is streamed (then <see cref="DesignBuilder.Build"/> over the read table gives the design or the error).
    /// </summary>
    public static StreamedDesign? TryBuild(Formula formula, TableSource source, DesignOptions? options = null)
    {
        options ??= new DesignOptions();
        ResponseBuilder.CheckFamily(formula, options.Family);
        // Declined (the table path builds them): computed responses, offsets, function terms, multiple memberships,
        // residual structures and ordinal responses.
        if (formula.Response.Variable is not { } responseVariable || formula.Response.IsCbind || formula.Response.Expression is not null
            || formula.Offsets.Count > 0 || formula.FunctionTerms().Any() || formula.MembershipVariables().Any()
            || options.Correlation is not null || options.Variance is not null || options.Family == ResponseFamily.Ordinal)
            return null;
        var groupingLabels = formula.RandomTerms.SelectMany(b => b.Grouping.SelectMany(g => g)).Select(v => v.Label).ToHashSet();
        bool IsNumeric(Variable v) => v.Function is null && !v.AsFactor && !groupingLabels.Contains(v.Label);
        if (!IsNumeric(responseVariable)) return null;
        // Each term a single variable; random-effects columns numeric, fixed ones numeric or factors (their indicator
        // columns are filled from the levels at the end).
        if (formula.Fixed.Terms.Any(t => t.Length != 1)) return null;
        foreach (var set in formula.RandomTerms.Select(b => b.Effects))
            if (set.Terms.Any(t => t.Length != 1) || !set.Variables.All(IsNumeric))
                return null;
        var variables = formula.AllVariables().ToList();
        if (variables.Any(v => v.Function is not null)) return null;

        // Names and column order exactly as the table path's model matrix gives them; each column stands for its source.
        var ones = new double[0];
        var stand = new Dictionary<string, double[]>(StringComparer.Ordinal);
        double[] Stand(Variable v) => stand.TryGetValue(v.Label, out var s) ? s : stand[v.Label] = new double[0];
        var (fixedNames, fixedColumns) = DesignBuilder.ModelMatrixCore(formula.Fixed, v => (Stand(v), null, null, null), 0, ones);
        var bars = new List<(List<string> Names, List<double[]> Columns)>();
        foreach (var bar in formula.RandomTerms)
        {
            var matrix = DesignBuilder.ModelMatrixCore(bar.Effects, v => (Stand(v), null, null, null), 0, ones);
            if (matrix.Names.Count == 0) return null; // the table path names the term
            bars.Add(matrix);
        }

        var columns = variables.Select(v => v.Column).Append(options.WeightsColumn).OfType<string>().ToHashSet(StringComparer.Ordinal);
        int dropped = 0, kept = 0;
        RowBuffer<double>? response = null, x = null, weights = null;
        var fixedFactors = new HashSet<string>(StringComparer.Ordinal); // labels of fixed-effects variables read as factors or text
        var xSlots = new List<int>(); // the model-matrix columns held by x (all of them unless a fixed variable is a factor)
        var barBuffers = new List<RowBuffer<double>?>();
        var buffers = new List<RowBuffer<double>>();
        var numeric = new List<NumericInput>();
        var factors = new List<FactorInput>();
        int[] used = [];
        int[] keptAt = new int[1 << 14];
        try
        {
            int rows = DuckDbTableReader.Stream(source, columns, layout =>
            {
                int capacity = layout.ExpectedRows;
                int ChunkColumn(string column) => layout.Columns.ToList().IndexOf(column);
                used = columns.Select(ChunkColumn).ToArray();
                var inputs = new Dictionary<string, NumericInput>(StringComparer.Ordinal);
                NumericInput Input(Variable v) => inputs.TryGetValue(v.Label, out var input) ? input : inputs[v.Label] = new NumericInput(ChunkColumn(v.Column));
                response = new RowBuffer<double>(1, capacity);
                Input(responseVariable).Destinations.Add(new Destination(response, 0));
                // A fixed variable is a factor when written so (factor(), relevel()) or, by the table path's rule decided at
                // the end, when its column is text; its columns are not in x.
                foreach (var v in formula.Fixed.Variables)
                    if (!IsNumeric(v) || !layout.IsNumeric[ChunkColumn(v.Column)]) fixedFactors.Add(v.Label);
                xSlots.AddRange(Enumerable.Range(0, fixedColumns.Count).Where(c => !formula.Fixed.Variables.Any(v => fixedFactors.Contains(v.Label) && stand[v.Label] == fixedColumns[c])));
                x = new RowBuffer<double>(xSlots.Count, capacity);
                foreach (var v in formula.Fixed.Variables.Where(v => !fixedFactors.Contains(v.Label)))
                    Input(v).Destinations.Add(new Destination(x, xSlots.IndexOf(fixedColumns.IndexOf(stand[v.Label]))));
                foreach (var (bar, (_, barColumns)) in formula.RandomTerms.Zip(bars))
                {
                    // An intercept-only term shares the one column of ones; other terms get their own columns.
                    var buffer = barColumns.All(c => c == ones) ? null : new RowBuffer<double>(barColumns.Count, capacity);
                    barBuffers.Add(buffer);
                    if (buffer is not null)
                        foreach (var v in bar.Effects.Variables)
                            Input(v).Destinations.Add(new Destination(buffer, barColumns.IndexOf(stand[v.Label])));
                }
                numeric.AddRange(inputs.Values);
                buffers.AddRange(barBuffers.OfType<RowBuffer<double>>().Prepend(x).Prepend(response));
                if (options.WeightsColumn is { } w)
                {
                    weights = new RowBuffer<double>(1, capacity);
                    var input = new NumericInput(ChunkColumn(w)) { MustBePositive = true };
                    input.Destinations.Add(new Destination(weights, 0));
                    buffers.Add(weights);
                    numeric.Add(input);
                }
                foreach (var v in variables.Where(v => !IsNumeric(v) || fixedFactors.Contains(v.Label)))
                    factors.Add(new FactorInput(v, ChunkColumn(v.Column), capacity, !layout.IsNumeric[ChunkColumn(v.Column)]));
                // Text is read as categories only; a text response, covariate or weight is the table path's (a binary
                // response's levels, or the message naming the value that is not a number).
                return numeric.All(input => layout.IsNumeric[input.ChunkColumn]);
            }, chunk => Consume(chunk));
            if (rows <= 0) return null;

            void Consume(TableChunk chunk)
            {
                int count = chunk.Count, m = 0;
                if (keptAt.Length < count) keptAt = new int[count];
                for (int i = 0; i < count; i++)
                {
                    bool complete = true;
                    foreach (int k in used) complete &= !chunk.Missing[k][i];
                    if (complete) keptAt[m++] = i;
                }
                dropped += count - m;
                int end = kept + m;
                // Every buffer grows with the rows, also one only filled at the end (a column of ones).
                foreach (var buffer in buffers) buffer.EnsureRows(kept, end);
                foreach (var input in numeric)
                {
                    var values = chunk.Numbers[input.ChunkColumn]!;
                    for (int j = 0; j < m; j++)
                    {
                        double v = values[keptAt[j]];
                        if (!double.IsFinite(v) || (input.MustBePositive && v <= 0)) throw new Decline();
                    }
                    foreach (var (buffer, column) in input.Destinations)
                    {
                        var target = buffer.Column(column).Slice(kept, m);
                        if (m == count) values.AsSpan(0, count).CopyTo(target);
                        else for (int j = 0; j < m; j++) target[j] = values[keptAt[j]];
                    }
                }
                foreach (var factor in factors)
                {
                    factor.Ids.EnsureRows(kept, end);
                    var target = factor.Ids.Column(0).Slice(kept, m);
                    if (factor.IsText)
                    {
                        var texts = chunk.Text[factor.ChunkColumn]!;
                        for (int j = 0; j < m; j++) target[j] = factor.TextId(texts[keptAt[j]]!);
                        // The column's typing (numbers or text) counts the dropped rows' values too.
                        for (int i = 0, j = 0; i < count && m < count; i++)
                        {
                            if (j < m && keptAt[j] == i) { j++; continue; }
                            if (texts[i] is { } s) factor.Check(s);
                        }
                    }
                    else
                    {
                        var values = chunk.Numbers[factor.ChunkColumn]!;
                        for (int j = 0; j < m; j++) target[j] = factor.Id(values[keptAt[j]]);
                    }
                }
                kept = end;
            }
        }
        catch (Exception e) when (e is Decline or DataSourceException or CliException or System.Data.Common.DbException
                                      or DllNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            return null;
        }
        if (kept == 0 || response is null || x is null) return null;
        int n = kept;

        // Levels as the table path orders them: numbers sorted numerically, the reference level first; ids renumbered in place.
        var levelsOf = new Dictionary<string, IReadOnlyList<string>>();
        var indexOf = new Dictionary<string, int[]>();
        var textNumbers = new Dictionary<string, (int[] Ids, double[] Values)>(StringComparer.Ordinal);
        foreach (var factor in factors)
        {
            var v = factor.Variable;
            if (factor.IsText && IsNumeric(v))
            {
                // A text column used as a covariate: numbers when all its values are (a query's VARCHAR of digits), an
                // error when most are (the table path names the value), else a factor.
                if (factor.AllParse)
                {
                    var parsed = factor.Texts.Select(t => CsvColumn.TryParseNumber(t, out double d) ? d : double.NaN).ToArray();
                    if (!parsed.All(double.IsFinite)) return null;
                    textNumbers[v.Label] = (factor.Ids.Finish(n), parsed);
                    continue;
                }
                if (factor.Parsed * 2 > factor.Present) return null;
            }
            List<string> levels;
            int[] renumber;
            try { (levels, renumber) = factor.Levels(v.Reference is { } reference ? new Dictionary<string, string> { [v.Column] = reference } : options.ReferenceLevels); }
            catch (CliException) { return null; }
            var index = factor.Ids.Finish(n);
            for (int i = 0; i < index.Length; i++) index[i] = renumber[index[i]];
            levelsOf[v.Label] = levels;
            indexOf[v.Label] = index;
        }

        double[] fixedEffects;
        if (fixedFactors.Count == 0)
        {
            fixedEffects = x.Finish(n);
            for (int c = 0; c < fixedColumns.Count; c++)
                if (fixedColumns[c] == ones) fixedEffects.AsSpan(c * n, n).Fill(1.0);
        }
        else
        {
            var assembled = FixedWithFactors(formula.Fixed, n, ones, stand, x, xSlots, fixedColumns, levelsOf, indexOf, textNumbers);
            if (assembled is null) return null;
            (fixedNames, fixedEffects) = assembled.Value;
        }
        x = null;
        double[]? sharedOnes = null;
        double[] Ones() => sharedOnes ??= Filled(n);
        var terms = new List<RandomEffectsTerm>();
        for (int b = 0; b < formula.RandomTerms.Count; b++)
        {
            var bar = formula.RandomTerms[b];
            var (names, barColumns) = bars[b];
            double[] values;
            if (barBuffers[b] is { } buffer)
            {
                values = buffer.Finish(n);
                for (int c = 0; c < barColumns.Count; c++)
                    if (barColumns[c] == ones) values.AsSpan(c * n, n).Fill(1.0);
            }
            else values = Ones();
            for (int k = 0; k < bar.Grouping.Count; k++)
            {
                var (index, keys) = DesignBuilder.Grouping(bar.Grouping[k].Select(v => (indexOf[v.Label], levelsOf[v.Label])).ToList(), n);
                terms.Add(new RandomEffectsTerm
                {
                    Name = bar.GroupName(k),
                    LevelIndex = index,
                    LevelKeys = keys,
                    ColumnNames = names,
                    Columns = values,
                    Covariance = bar.Uncorrelated && names.Count > 1 ? CovarianceStructure.Diagonal : CovarianceStructure.Unstructured,
                });
            }
        }

        BuiltResponse built;
        try
        {
            built = ResponseBuilder.Numeric(responseVariable.Column, response.Finish(n), options.Family, _ => throw new Decline(), weights?.Finish(n), []);
        }
        catch (Exception e) when (e is Decline or CliException)
        {
            return null;
        }
        var design = new ModelDesign
        {
            ResponseName = formula.Response.Label,
            Response = built.Values,
            Family = options.Family ?? ResponseFamily.Gaussian,
            Link = options.Link,
            Trials = built.Trials,
            Weights = built.Weights,
            FixedEffects = fixedEffects,
            FixedEffectNames = fixedNames,
            Terms = DesignBuilder.OrderAsLme4(terms),
            RowsDropped = dropped,
        };
        return new StreamedDesign(new BuiltDesign(design, dropped, levelsOf) { Notes = built.Notes }, kept + dropped);
    }

    /// <summary>
    /// X when fixed-effects variables are factors: the model matrix's names from <see cref="DesignBuilder.ModelMatrixCore"/>
    /// with the real levels (so the contrasts, names and order are the table path's), each column filled from its source —
    /// the intercept, a numeric column held in <paramref name="x"/>, a text column of numbers, or a level's indicator.
    /// Null when the columns cannot be matched to their sources (then the table path builds the design).
    /// </summary>
    private static (List<string> Names, double[] Values)? FixedWithFactors(TermSet terms, int n, double[] ones,
        Dictionary<string, double[]> stand, RowBuffer<double> x, List<int> xSlots, List<double[]> planColumns,
        Dictionary<string, IReadOnlyList<string>> levelsOf, Dictionary<string, int[]> indexOf, Dictionary<string, (int[] Ids, double[] Values)> textNumbers)
    {
        var (names, columns) = DesignBuilder.ModelMatrixCore(terms, v => levelsOf.TryGetValue(v.Label, out var levels)
            ? (null, Array.Empty<int>(), levels, null)
            : (stand[v.Label], null, null, null), 0, ones);
        // The sources in the order ModelMatrixCore gives them: single-variable terms, a factor by treatment contrasts
        // except the first factor term of a model without intercept (all its levels).
        var fills = new List<Action<Span<double>>>();
        if (terms.Intercept) fills.Add(c => c.Fill(1.0));
        bool allLevelsUsed = terms.Intercept;
        foreach (var term in terms.Terms)
        {
            var v = terms.Variables[term[0]];
            if (levelsOf.TryGetValue(v.Label, out var levels))
            {
                var index = indexOf[v.Label];
                for (int l = allLevelsUsed ? 1 : 0; l < levels.Count; l++)
                {
                    int level = l;
                    if (fills.Count >= names.Count || names[fills.Count] != v.Label + levels[l]) return null;
                    fills.Add(c => { for (int i = 0; i < c.Length; i++) c[i] = index[i] == level ? 1 : 0; });
                }
                allLevelsUsed = true;
            }
            else if (textNumbers.TryGetValue(v.Label, out var text))
            {
                if (fills.Count >= names.Count || columns[fills.Count] != stand[v.Label]) return null;
                fills.Add(c => { for (int i = 0; i < c.Length; i++) c[i] = text.Values[text.Ids[i]]; });
            }
            else
            {
                int slot = xSlots.IndexOf(planColumns.IndexOf(stand[v.Label]));
                if (slot < 0 || fills.Count >= names.Count || columns[fills.Count] != stand[v.Label]) return null;
                fills.Add(c => x.Column(slot)[..n].CopyTo(c));
            }
        }
        if (fills.Count != names.Count) return null;
        var values = new double[(long)names.Count * n <= Array.MaxLength ? names.Count * n : throw new CliException("The design is too large for one array.")];
        for (int c = 0; c < fills.Count; c++) fills[c](values.AsSpan(c * n, n));
        return (names, values);
    }

    private static double[] Filled(int n)
    {
        var values = new double[n];
        values.AsSpan().Fill(1.0);
        return values;
    }
}

/// <summary>
/// Rows × columns of a design array being filled row by row, column-major with a stride of the capacity: sized once
/// from the expected row count (or doubling from a small start when it is unknown), trimmed to the rows kept at the end.
/// </summary>
internal sealed class RowBuffer<T> where T : struct
{
    private readonly int _columns;
    private readonly bool _hinted;
    private int _capacity;
    private T[] _data;

    /// <summary>A buffer of <paramref name="columns"/> columns for <paramref name="capacity"/> rows (0: unknown, start small).</summary>
    public RowBuffer(int columns, int capacity)
    {
        _columns = columns;
        _hinted = capacity > 0;
        _capacity = capacity > 0 ? capacity : 1 << 12;
        _data = new T[Size(columns, _capacity)];
    }

    private static int Size(int columns, long rows) =>
        columns * rows <= Array.MaxLength ? (int)(columns * rows)
            : throw new CliException("The design is too large for one array: use fewer rows (--sql with a WHERE clause or USING SAMPLE).");

    /// <summary>Column <paramref name="column"/> over the whole capacity.</summary>
    public Span<T> Column(int column) => _data.AsSpan(column * _capacity, _capacity);

    /// <summary>Makes room for <paramref name="rows"/> rows, keeping the first <paramref name="filled"/> of each column.</summary>
    public void EnsureRows(int filled, int rows)
    {
        if (rows <= _capacity) return;
        // Doubling from a small start; past a count that proved short (it should not), an eighth more at a time.
        long grown = Math.Max(rows, _hinted ? _capacity + _capacity / 8L : 2L * _capacity);
        if (grown * _columns > Array.MaxLength) grown = Math.Max(rows, Array.MaxLength / Math.Max(_columns, 1));
        var data = new T[Size(_columns, grown)];
        for (int c = 0; c < _columns; c++) Array.Copy(_data, c * _capacity, data, c * (int)grown, filled);
        _data = data;
        _capacity = (int)grown;
    }

    /// <summary>The first <paramref name="rows"/> rows, column-major with stride <paramref name="rows"/> (the buffer itself when it is exactly full).</summary>
    public T[] Finish(int rows)
    {
        var data = _data;
        _data = [];
        if (rows == _capacity) return data;
        // Move the columns together in place (each moves towards the start), then copy out the exact length.
        for (int c = 1; c < _columns; c++) Array.Copy(data, c * _capacity, data, c * rows, rows);
        var exact = new T[_columns * rows];
        Array.Copy(data, exact, exact.Length);
        return exact;
    }
}
