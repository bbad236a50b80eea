namespace TypedMixed.Factorization;

/// <summary>
/// A fill-reducing ordering by approximate minimum degree on the quotient graph (after Amestoy, Davis and Duff's AMD,
/// written here from the description of the method): the graph is given as cliques — the levels of the tail that
/// share a level of the first term, which the elimination of that level joins — and each clique is an initial
/// element. Eliminating a variable p merges the elements around it into a new element Lp; each variable of Lp gets the
/// degree bound |Lp \ i| + Σ |Le \ Lp| over its other elements (AMD's external-degree bound), and an element whose
/// variables all lie in Lp is absorbed. Variables carry weights (a level's number of columns q), and degrees are
/// weighted by them.
/// </summary>
internal static class MinimumDegree
{
    /// <summary>
    /// The elimination order: <c>order[k]</c> is the variable eliminated k-th.
    /// </summary>
    /// <param name="n">Variables.</param>
    /// <param name="weight">Per variable its weight (≥ 1).</param>
    /// <param name="cliquePtr">Clique c holds <c>cliqueVars[cliquePtr[c] .. cliquePtr[c + 1])</c> (distinct variables).</param>
    /// <param name="cliqueVars">The cliques' variables.</param>
    public static int[] Order(int n, int[] weight, int[] cliquePtr, int[] cliqueVars)
    {
        int cliques = cliquePtr.Length - 1, elements = cliques + n;
        var elem = new int[elements][];
        var elemWeight = new long[elements];
        var absorbed = new bool[elements];
        var count = new int[n];
        for (int c = 0; c < cliques; c++)
        {
            var vars = cliqueVars.AsSpan(cliquePtr[c], cliquePtr[c + 1] - cliquePtr[c]).ToArray();
            elem[c] = vars;
            foreach (int v in vars) { elemWeight[c] += weight[v]; count[v]++; }
        }
        // E_i: the elements around variable i (lazy: absorbed ones are skipped and dropped when met).
        var varElems = new int[n][];
        var varElemCount = new int[n];
        for (int v = 0; v < n; v++) varElems[v] = new int[Math.Max(count[v], 1) + 1];
        for (int c = 0; c < cliques; c++)
            foreach (int v in elem[c]) varElems[v][varElemCount[v]++] = c;

        long total = 0;
        for (int v = 0; v < n; v++) total += weight[v];
        // Exact initial degrees: the weight of the union of a variable's cliques, less its own.
        var mark = new int[n];
        int stamp = 0;
        var degree = new long[n];
        for (int v = 0; v < n; v++)
        {
            stamp++;
            mark[v] = stamp;
            long d = 0;
            for (int a = 0; a < varElemCount[v]; a++)
                foreach (int u in elem[varElems[v][a]])
                    if (mark[u] != stamp) { mark[u] = stamp; d += weight[u]; }
            degree[v] = d;
        }

        // Degree buckets (doubly linked), degrees capped at the total weight.
        int maxDegree = (int)Math.Min(total, int.MaxValue - 1);
        var head = new int[maxDegree + 1];
        Array.Fill(head, -1);
        var next = new int[n];
        var prev = new int[n];
        void Insert(int v)
        {
            int d = (int)Math.Min(degree[v], maxDegree);
            prev[v] = -1;
            next[v] = head[d];
            if (head[d] >= 0) prev[head[d]] = v;
            head[d] = v;
        }
        void Remove(int v)
        {
            int d = (int)Math.Min(degree[v], maxDegree);
            if (prev[v] >= 0) next[prev[v]] = next[v]; else head[d] = next[v];
            if (next[v] >= 0) prev[next[v]] = prev[v];
        }
        for (int v = 0; v < n; v++) Insert(v);

        var eliminated = new bool[n];
        var order = new int[n];
        var wStamp = new int[elements];
        var wRemaining = new long[elements];
        var lp = new List<int>();
        int minDegree = 0;
        long remaining = total;
        Array.Clear(mark);
        stamp = 0;
        for (int k = 0; k < n; k++)
        {
            while (head[minDegree] < 0) minDegree++;
            int p = head[minDegree];
            Remove(p);
            order[k] = p;
            eliminated[p] = true;
            remaining -= weight[p];

            // Lp = (∪ elements around p) \ {p}; those elements are absorbed into the new element p.
            stamp++;
            lp.Clear();
            long lpWeight = 0;
            for (int a = 0; a < varElemCount[p]; a++)
            {
                int e = varElems[p][a];
                if (absorbed[e]) continue;
                foreach (int v in elem[e])
                    if (!eliminated[v] && mark[v] != stamp) { mark[v] = stamp; lp.Add(v); lpWeight += weight[v]; }
                absorbed[e] = true;
                elem[e] = [];
            }
            int ep = cliques + p;
            elem[ep] = lp.ToArray();
            elemWeight[ep] = lpWeight;
            varElems[p] = [];
            varElemCount[p] = 0;

            // |Le \ Lp| for every other element around Lp's variables.
            foreach (int i in elem[ep])
            {
                Remove(i);
                for (int a = 0; a < varElemCount[i]; a++)
                {
                    int e = varElems[i][a];
                    if (absorbed[e]) continue;
                    if (wStamp[e] != stamp) { wStamp[e] = stamp; wRemaining[e] = elemWeight[e]; }
                    wRemaining[e] -= weight[i];
                }
            }
            foreach (int i in elem[ep])
            {
                var list = varElems[i];
                int kept = 0;
                long external = 0;
                for (int a = 0; a < varElemCount[i]; a++)
                {
                    int e = list[a];
                    if (absorbed[e]) continue;
                    if (wRemaining[e] == 0)
                    {
                        // Le ⊆ Lp: aggressive absorption.
                        absorbed[e] = true;
                        elem[e] = [];
                        continue;
                    }
                    list[kept++] = e;
                    external += wRemaining[e];
                }
                if (kept + 1 > list.Length) Array.Resize(ref varElems[i], list.Length * 2);
                varElems[i][kept++] = ep;
                varElemCount[i] = kept;
                long bound = lpWeight - weight[i] + external;
                degree[i] = Math.Max(0, Math.Min(remaining - weight[i], bound));
                Insert(i);
                if (degree[i] < minDegree) minDegree = (int)degree[i];
            }
        }
        return order;
    }
}
