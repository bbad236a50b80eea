namespace TypedMixed.Storage;

/// <summary>
/// A symmetric matrix of levels × levels q × q blocks stored by its lower envelope (skyline) in a permuted level order:
/// block row k (position k, level <see cref="Perm"/>[k]) holds the blocks of columns <see cref="First"/>[k] .. k, each
/// column-major and full. A Cholesky factor has no fill outside the envelope, so the same layout holds A and L. Used
/// for a multiple-membership term's own block Z'Z, whose nonzero blocks are the pairs of levels that share a row;
/// the reverse Cuthill–McKee order keeps the envelope narrow when memberships are local (pupils move between nearby
/// schools).
/// </summary>
internal sealed class BlockEnvelope
{
    private BlockEnvelope(int levels, int q, int[] perm, int[] first)
    {
        Levels = levels;
        Q = q;
        Perm = perm;
        First = first;
        Position = new int[levels];
        for (int k = 0; k < levels; k++) Position[perm[k]] = k;
        RowStart = new int[levels + 1];
        long total = 0;
        for (int k = 0; k < levels; k++)
        {
            RowStart[k] = checked((int)total);
            total += k - first[k] + 1;
        }
        RowStart[levels] = checked((int)total);
        Data = new double[checked(total * q * q)];
    }

    /// <summary>A zeroed envelope with the same layout.</summary>
    public BlockEnvelope CloneLayout() => new(Levels, Q, Perm, First);

    public int Levels { get; }
    public int Q { get; }
    /// <summary>Perm[k] = the level at position k.</summary>
    public int[] Perm { get; }
    /// <summary>Position[level] = its position k.</summary>
    public int[] Position { get; }
    /// <summary>First[k] = the first block column stored in block row k (≤ k).</summary>
    public int[] First { get; }
    /// <summary>RowStart[k] = index (in blocks) of block (k, First[k]).</summary>
    public int[] RowStart { get; }
    public double[] Data { get; }

    /// <summary>Number of stored blocks.</summary>
    public int BlockCount => RowStart[Levels];

    /// <summary>Block (k, j) for First[k] ≤ j ≤ k (positions), column-major q × q.</summary>
    public Span<double> Block(int k, int j) => Data.AsSpan((RowStart[k] + j - First[k]) * Q * Q, Q * Q);

    /// <summary>Index of block (k, j) in blocks.</summary>
    public int BlockIndex(int k, int j) => RowStart[k] + j - First[k];

    public void CopyFrom(BlockEnvelope other) => other.Data.AsSpan().CopyTo(Data);

    /// <summary>
    /// The envelope of the level graph of memberships (levels that share a row are adjacent), in reverse Cuthill–McKee
    /// order: per connected component, breadth-first from a pseudo-peripheral level, neighbours by increasing degree,
    /// the whole order reversed.
    /// </summary>
    public static BlockEnvelope ForMemberships(MembershipRows mm, int levels, int q)
    {
        // Distinct unordered level pairs that share a row.
        var pairs = new List<long>();
        int rows = mm.RowStart.Length - 1;
        for (int i = 0; i < rows; i++)
            for (int e = mm.RowStart[i]; e < mm.RowStart[i + 1]; e++)
                for (int f = e + 1; f < mm.RowStart[i + 1]; f++)
                {
                    int a = mm.Level[e], b = mm.Level[f];
                    if (a == b) continue;
                    pairs.Add(a < b ? (long)a * levels + b : (long)b * levels + a);
                }
        var keys = pairs.ToArray();
        Array.Sort(keys);
        int unique = 0;
        for (int i = 0; i < keys.Length; i++)
            if (i == 0 || keys[i] != keys[i - 1]) keys[unique++] = keys[i];
        // Adjacency (CSR, both directions).
        var degree = new int[levels];
        for (int u = 0; u < unique; u++) { degree[keys[u] / levels]++; degree[keys[u] % levels]++; }
        var adjStart = new int[levels + 1];
        for (int l = 0; l < levels; l++) adjStart[l + 1] = adjStart[l] + degree[l];
        var adj = new int[adjStart[levels]];
        var fill = (int[])adjStart.Clone();
        for (int u = 0; u < unique; u++)
        {
            int a = (int)(keys[u] / levels), b = (int)(keys[u] % levels);
            adj[fill[a]++] = b;
            adj[fill[b]++] = a;
        }
        for (int l = 0; l < levels; l++)
            Array.Sort(adj, adjStart[l], degree[l], Comparer<int>.Create((x, y) => degree[x] != degree[y] ? degree[x].CompareTo(degree[y]) : x.CompareTo(y)));

        var order = new List<int>(levels);
        var visited = new bool[levels];
        var byDegree = Enumerable.Range(0, levels).OrderBy(l => degree[l]).ThenBy(l => l).ToArray();
        var level = new int[levels];
        foreach (int seed in byDegree)
        {
            if (visited[seed]) continue;
            int start = PseudoPeripheral(seed, adj, adjStart, level);
            int head = order.Count;
            order.Add(start);
            visited[start] = true;
            while (head < order.Count)
            {
                int v = order[head++];
                for (int e = adjStart[v]; e < adjStart[v + 1]; e++)
                    if (!visited[adj[e]]) { visited[adj[e]] = true; order.Add(adj[e]); }
            }
        }
        order.Reverse();
        var perm = order.ToArray();
        var position = new int[levels];
        for (int k = 0; k < levels; k++) position[perm[k]] = k;
        var first = new int[levels];
        for (int k = 0; k < levels; k++)
        {
            int f = k, v = perm[k];
            for (int e = adjStart[v]; e < adjStart[v + 1]; e++) f = Math.Min(f, position[adj[e]]);
            first[k] = f;
        }
        return new BlockEnvelope(levels, q, perm, first);
    }

    /// <summary>A level far from <paramref name="seed"/> in its component (repeated breadth-first searches, George–Liu).</summary>
    private static int PseudoPeripheral(int seed, int[] adj, int[] adjStart, int[] depth)
    {
        int current = seed, eccentricity = -1;
        var queue = new List<int>();
        for (int round = 0; round < 8; round++)
        {
            queue.Clear();
            queue.Add(current);
            var seen = new HashSet<int> { current };
            depth[current] = 0;
            int head = 0, last = current;
            while (head < queue.Count)
            {
                int v = queue[head++];
                last = v;
                for (int e = adjStart[v]; e < adjStart[v + 1]; e++)
                    if (seen.Add(adj[e])) { depth[adj[e]] = depth[v] + 1; queue.Add(adj[e]); }
            }
            int ecc = depth[last];
            if (ecc <= eccentricity) break;
            eccentricity = ecc;
            // The farthest level of least degree becomes the next start.
            int best = last;
            foreach (int v in queue)
                if (depth[v] == ecc && adjStart[v + 1] - adjStart[v] < adjStart[best + 1] - adjStart[best]) best = v;
            current = best;
        }
        return current;
    }
}
