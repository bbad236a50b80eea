namespace TypedMixed.Factorization;

/// <summary>
/// The symbolic analysis of the factor's tail — the terms after the first (each level a node of q columns) and the
/// [X y] rows — for a sparse Cholesky, done once per model from the rows' levels alone. Eliminating the first term
/// joins the tail levels that share one of its levels into a clique; the tail's pattern is the union of those cliques
/// (two tail levels in one row share that row's first-term level too). The analysis orders the nodes by approximate
/// minimum degree (<see cref="MinimumDegree"/>), computes the elimination tree and every column's structure (a node's
/// structure is its cliques' later nodes and its children's structures), postorders the tree and groups chains of
/// nodes with nested structure into supernodes, stored as dense column panels. The [X y] rows (p + 1) stay last and
/// dense: they are one more supernode, below every other. It predicts the stored values and the flops of the sparse
/// factor beside the dense one's (m(m+1)/2 values, m³/3 flops), which <see cref="PreferSparse"/> compares.
/// </summary>
internal sealed class SparseTailStructure
{
    /// <summary>
    /// Tails of fewer random-effects rows than this are factored dense without an analysis (a dense factor of that
    /// order takes well under 0.1 s; InstEval's 1,142 stay on the dense path at no extra cost).
    /// </summary>
    public const int MinimumOrder = 2000;

    /// <summary>
    /// The sparse factor is chosen when its predicted flops are at most this fraction of the dense factor's: the dense
    /// kernel runs several times faster per flop than the supernodal updates, and lme4's InstEval (measured 0.20) must
    /// stay dense.
    /// </summary>
    public const double FlopRatio = 0.1;

    /// <summary>With the dense limit on, the analysis stops before ordering when the tail's graph (the union of the cliques) has a mean degree above this fraction of its order: it will fill in.</summary>
    public const double DensityLimit = 0.25;

    /// <summary>The analysis stops (dense) once the sparse factor would store more than this fraction of the dense one's values.</summary>
    public const double ValueRatioLimit = 0.5;

    private SparseTailStructure() { }

    /// <summary>Random-effects rows of the tail (its order without the p + 1 [X y] rows).</summary>
    public int Mz { get; private init; }

    /// <summary>Order of the whole tail, <see cref="Mz"/> + p + 1.</summary>
    public int M { get; private init; }

    /// <summary>Per tail row in the dense layout (terms after the first, level-major, then [X y]), its row in the sparse factor.</summary>
    public int[] Permutation { get; private init; } = [];

    /// <summary>Supernode s holds the factor's columns <c>ColumnStart[s] .. ColumnStart[s + 1]</c>.</summary>
    public int[] ColumnStart { get; private init; } = [];

    /// <summary>Supernode s's rows (its own columns first, then the rows below, ascending) are <c>Rows[RowStart[s] .. RowStart[s + 1])</c>.</summary>
    public int[] RowStart { get; private init; } = [];

    /// <summary>The supernodes' row lists.</summary>
    public int[] Rows { get; private init; } = [];

    /// <summary>Offset of supernode s's column-major panel (rows × columns) in the factor's values.</summary>
    public long[] ValueStart { get; private init; } = [];

    /// <summary>Per column of the factor, its supernode.</summary>
    public int[] SupernodeOfColumn { get; private init; } = [];

    /// <summary>Number of supernodes (the last one is the [X y] block).</summary>
    public int Supernodes => Math.Max(ColumnStart.Length - 1, 0);

    /// <summary>Stored values of the sparse factor (the panels), or where the analysis stopped when over its limit.</summary>
    public long SparseValues { get; private init; }

    /// <summary>Predicted flops of one sparse factorization (Σ over columns of the squared count below the diagonal).</summary>
    public double SparseFlops { get; private init; }

    /// <summary>Values of the dense tail's lower triangle, m(m + 1)/2.</summary>
    public long DenseValues => (long)M * (M + 1) / 2;

    /// <summary>Flops of the dense tail's Cholesky, m³/3.</summary>
    public double DenseFlops => (double)M * M * M / 3;

    /// <summary>Whether the analysis ran to the end (false: the fill passed <see cref="ValueRatioLimit"/> and it stopped).</summary>
    public bool Complete { get; private init; }

    /// <summary>Whether the measured fill makes the sparse factor the cheaper one (see <see cref="FlopRatio"/>).</summary>
    public bool PreferSparse => Complete && Mz >= MinimumOrder && SparseFlops <= FlopRatio * DenseFlops;

    /// <summary>Seconds the analysis took.</summary>
    public double Seconds { get; private init; }

    /// <summary>One line for logs and benchmarks: orders, values and flops of both factors.</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"tail order {M} ({Mz} random-effects rows); sparse: {(Complete ? "" : "stopped (dense) at ")}{SparseValues:N0} values, {SparseFlops:E3} flops, {Supernodes} supernodes; dense: {DenseValues:N0} values, {DenseFlops:E3} flops; flop ratio {SparseFlops / DenseFlops:G3}; analysis {Seconds:F3} s; {(PreferSparse ? "sparse" : "dense")}");

    /// <summary>
    /// Analyses the tail of a model whose first (ordered) term has levels <paramref name="level0"/> and whose later
    /// terms have the given level indices, level counts and columns.
    /// </summary>
    /// <param name="level0">Per row, its level of the first term.</param>
    /// <param name="levels0">Levels of the first term.</param>
    /// <param name="tailLevelIndex">Per later term, per row its level.</param>
    /// <param name="tailLevels">Per later term, its number of levels.</param>
    /// <param name="tailQ">Per later term, its number of columns.</param>
    /// <param name="p">Fixed-effects columns.</param>
    /// <param name="stopWhenDense">Stop once the fill passes <see cref="ValueRatioLimit"/> (the dense factor will be used).</param>
    public static SparseTailStructure Analyze(int[] level0, int levels0, int[][] tailLevelIndex, int[] tailLevels, int[] tailQ, int p, bool stopWhenDense = true)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int terms = tailLevels.Length, n = level0.Length;
        var nodeOffset = new int[terms + 1];
        for (int t = 0; t < terms; t++) nodeOffset[t + 1] = nodeOffset[t] + tailLevels[t];
        int nodes = nodeOffset[terms];
        var width = new int[nodes];
        var denseStart = new int[nodes + 1];
        for (int t = 0; t < terms; t++)
            for (int l = 0; l < tailLevels[t]; l++) width[nodeOffset[t] + l] = tailQ[t];
        for (int g = 0; g < nodes; g++) denseStart[g + 1] = denseStart[g] + width[g];
        int mz = denseStart[nodes], xy = p + 1, m = mz + xy;

        // Cliques: per first-term level, the distinct tail nodes of its rows.
        var keys = new long[(long)n * terms];
        for (int t = 0; t < terms; t++)
        {
            var li = tailLevelIndex[t];
            for (int i = 0; i < n; i++) keys[(long)t * n + i] = (long)level0[i] * nodes + nodeOffset[t] + li[i];
        }
        Array.Sort(keys);
        int unique = 0;
        for (int i = 0; i < keys.Length; i++)
            if (i == 0 || keys[i] != keys[i - 1]) keys[unique++] = keys[i];
        var cliquePtr = new int[levels0 + 1];
        var cliqueVars = new int[unique];
        for (int u = 0; u < unique; u++)
        {
            cliquePtr[(int)(keys[u] / nodes) + 1]++;
            cliqueVars[u] = (int)(keys[u] % nodes);
        }
        keys = [];
        for (int c = 0; c < levels0; c++) cliquePtr[c + 1] += cliquePtr[c];

        if (stopWhenDense && GraphDensity(nodes, cliquePtr, cliqueVars) > DensityLimit)
            return new SparseTailStructure { Mz = mz, M = m, SparseValues = 0, SparseFlops = double.NaN, Complete = false, Seconds = watch.Elapsed.TotalSeconds };
        var order = MinimumDegree.Order(nodes, width, cliquePtr, cliqueVars);
        var position = new int[nodes];
        for (int k = 0; k < nodes; k++) position[order[k]] = k;

        // Cliques by their first node in the order; a clique's pattern enters the structure of that column.
        var byFirst = new List<int>[nodes];
        for (int c = 0; c < levels0; c++)
        {
            int first = int.MaxValue;
            for (int e = cliquePtr[c]; e < cliquePtr[c + 1]; e++) first = Math.Min(first, position[cliqueVars[e]]);
            if (first == int.MaxValue) continue;
            (byFirst[first] ??= []).Add(c);
        }

        // Column structures (in positions) and the elimination tree; stop once over the value limit.
        var structure = new int[nodes][];
        var parent = new int[nodes];
        var children = new List<int>[nodes];
        var mark = new int[nodes];
        Array.Fill(mark, -1);
        var list = new List<int>();
        long values = 0, limit = (long)(ValueRatioLimit * ((double)m * (m + 1) / 2));
        double flops = 0;
        bool complete = true;
        for (int j = 0; j < nodes; j++)
        {
            list.Clear();
            mark[j] = j;
            if (byFirst[j] is { } cl)
                foreach (int c in cl)
                    for (int e = cliquePtr[c]; e < cliquePtr[c + 1]; e++)
                    {
                        int v = position[cliqueVars[e]];
                        if (mark[v] != j) { mark[v] = j; list.Add(v); }
                    }
            if (children[j] is { } kids)
                foreach (int kid in kids)
                {
                    foreach (int v in structure[kid])
                        if (mark[v] != j) { mark[v] = j; list.Add(v); }
                }
            var s = list.ToArray();
            structure[j] = s;
            int par = -1;
            long below = xy;
            foreach (int v in s) { if (par < 0 || v < par) par = v; below += width[order[v]]; }
            parent[j] = par;
            if (par >= 0) (children[par] ??= []).Add(j);
            int w = width[order[j]];
            values += (long)w * (w + 1) / 2 + w * below;
            for (int a = 0; a < w; a++) flops += (double)(below + w - a - 1) * (below + w - a - 1);
            if (stopWhenDense && values > limit) { complete = false; break; }
        }
        if (!complete)
            return new SparseTailStructure { Mz = mz, M = m, SparseValues = values, SparseFlops = flops, Complete = false, Seconds = watch.Elapsed.TotalSeconds };
        values += (long)xy * (xy + 1) / 2;
        flops += (double)xy * xy * xy / 3;

        // Postorder of the elimination tree (children in ascending order), then supernodes: a node joins the previous
        // one when it is that node's parent and the previous structure is this one plus itself.
        var post = new int[nodes];
        int count = 0;
        var stack = new Stack<(int Node, int Child)>();
        for (int r = 0; r < nodes; r++)
        {
            if (parent[r] >= 0) continue;
            stack.Push((r, 0));
            while (stack.Count > 0)
            {
                var (v, c) = stack.Pop();
                var kids = children[v];
                if (kids is not null && c < kids.Count)
                {
                    stack.Push((v, c + 1));
                    stack.Push((kids[c], 0));
                }
                else post[count++] = v;
            }
        }
        var newOf = new int[nodes];
        for (int k = 0; k < nodes; k++) newOf[post[k]] = k;
        var colStart = new List<int>();
        var nodeStart = new int[nodes + 1];
        for (int k = 0; k < nodes; k++) nodeStart[k + 1] = nodeStart[k] + width[order[post[k]]];
        var permutation = new int[m];
        for (int k = 0; k < nodes; k++)
        {
            int g = order[post[k]];
            for (int a = 0; a < width[g]; a++) permutation[denseStart[g] + a] = nodeStart[k] + a;
        }
        for (int a = 0; a < xy; a++) permutation[mz + a] = mz + a;

        // Relaxed supernodes: a node also joins the previous one's supernode when it is that node's parent and the
        // explicit zeros this stores stay few (dense kernels on wider panels beat exact patterns of narrow ones).
        var belowWeight = new long[nodes];
        for (int j = 0; j < nodes; j++)
            foreach (int v in structure[j]) belowWeight[j] += width[order[v]];
        var superFirst = new List<int>();
        long superCols = 0, superTrue = 0;
        for (int k = 0; k < nodes; k++)
        {
            int node = post[k], prevNode = k > 0 ? post[k - 1] : -1;
            long w = width[order[node]], below = belowWeight[node] + xy;
            long own = w * (w + 1) / 2 + w * below;
            bool join = false;
            if (k > 0 && parent[prevNode] == node)
            {
                long cols = superCols + w;
                long total = cols * (cols + 1) / 2 + cols * below, zeros = total - superTrue - own;
                join = zeros == 0 || RelaxedJoin(cols, zeros, total);
            }
            if (join) { superCols += w; superTrue += own; }
            else { superFirst.Add(k); superCols = w; superTrue = own; }
        }
        int supernodes = superFirst.Count + 1;
        var columnStart = new int[supernodes + 1];
        var rowStart = new int[supernodes + 1];
        var valueStart = new long[supernodes + 1];
        var rows = new List<int>();
        var below2 = new List<int>();
        for (int s = 0; s < superFirst.Count; s++)
        {
            int k0 = superFirst[s], k1 = s + 1 < superFirst.Count ? superFirst[s + 1] : nodes;
            columnStart[s] = nodeStart[k0];
            rowStart[s] = rows.Count;
            for (int c = nodeStart[k0]; c < nodeStart[k1]; c++) rows.Add(c);
            below2.Clear();
            foreach (int v in structure[post[k1 - 1]])
            {
                int kv = newOf[v], g = order[v];
                for (int a = 0; a < width[g]; a++) below2.Add(nodeStart[kv] + a);
            }
            below2.Sort();
            rows.AddRange(below2);
            for (int a = 0; a < xy; a++) rows.Add(mz + a);
            int nr = rows.Count - rowStart[s], nc = nodeStart[k1] - nodeStart[k0];
            valueStart[s + 1] = valueStart[s] + (long)nr * nc;
        }
        columnStart[supernodes - 1] = mz;
        rowStart[supernodes - 1] = rows.Count;
        for (int a = 0; a < xy; a++) rows.Add(mz + a);
        columnStart[supernodes] = m;
        rowStart[supernodes] = rows.Count;
        valueStart[supernodes] = valueStart[supernodes - 1] + (long)xy * xy;
        var supernodeOfColumn = new int[m];
        for (int s = 0; s < supernodes; s++)
            for (int c = columnStart[s]; c < columnStart[s + 1]; c++) supernodeOfColumn[c] = s;
        return new SparseTailStructure
        {
            Mz = mz,
            M = m,
            Permutation = permutation,
            ColumnStart = columnStart,
            RowStart = rowStart,
            Rows = rows.ToArray(),
            ValueStart = valueStart,
            SupernodeOfColumn = supernodeOfColumn,
            SparseValues = values,
            SparseFlops = flops,
            Complete = true,
            Seconds = watch.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Mean number of neighbours of a node in the union of the cliques, as a fraction of the other nodes.</summary>
    private static double GraphDensity(int nodes, int[] cliquePtr, int[] cliqueVars)
    {
        if (nodes < 2) return 0;
        var byNode = new List<int>[nodes];
        for (int c = 0; c + 1 < cliquePtr.Length; c++)
            for (int e = cliquePtr[c]; e < cliquePtr[c + 1]; e++) (byNode[cliqueVars[e]] ??= []).Add(c);
        var mark = new int[nodes];
        Array.Fill(mark, -1);
        long edges = 0;
        for (int v = 0; v < nodes; v++)
        {
            mark[v] = v;
            if (byNode[v] is not { } cliques) continue;
            foreach (int c in cliques)
                for (int e = cliquePtr[c]; e < cliquePtr[c + 1]; e++)
                {
                    int u = cliqueVars[e];
                    if (mark[u] != v) { mark[u] = v; edges++; }
                }
        }
        return edges / ((double)nodes * (nodes - 1));
    }

    /// <summary>
    /// Whether a supernode of <paramref name="cols"/> columns may store <paramref name="zeros"/> explicit zeros among
    /// its <paramref name="total"/> entries: narrow supernodes more freely (their updates are the least efficient).
    /// </summary>
    private static bool RelaxedJoin(long cols, long zeros, long total) =>
        cols <= 4 || (cols <= 16 && zeros <= 0.5 * total) || (cols <= 64 && zeros <= 0.1 * total) || zeros <= 0.05 * total;

    /// <summary>Index of (row, column) — factor coordinates, row ≥ column, in the pattern — in the factor's values.</summary>
    public long IndexOf(int row, int column)
    {
        int s = SupernodeOfColumn[column];
        int r0 = RowStart[s], nr = RowStart[s + 1] - r0;
        int at = Array.BinarySearch(Rows, r0, nr, row);
        if (at < 0) throw new InvalidOperationException($"Entry ({row}, {column}) is outside the sparse tail's pattern.");
        return ValueStart[s] + (long)(column - ColumnStart[s]) * nr + (at - r0);
    }
}
