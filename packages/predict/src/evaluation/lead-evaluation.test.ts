import { describe, expect, it } from 'vitest';
import { expectedCalibrationError, rocAuc } from '../math/metrics.js';
import { evaluateLeadCases } from './lead-evaluation.js';
import { syntheticLeads } from './synthetic-leads.js';

describe('lead model on generated data with known probabilities', () => {
  const leads = syntheticLeads({ count: 8000, seed: 17 });
  const evaluation = evaluateLeadCases(leads);
  const truth = new Map(leads.map((l) => [l.id, l]));
  const test = evaluation.predictions.map((p) => ({ ...p, lead: truth.get(p.id)! }));
  const scores = test.map((t) => t.probability);
  const trueProbabilities = test.map((t) => t.lead.truth);
  const labels = test.map((t) => t.lead.label);

  it('trains on the older 75 % and tests on the newer 25 %', () => {
    expect(evaluation.status).toBe('evaluated');
    expect(evaluation.train.cases).toBe(6000);
    expect(evaluation.test.cases).toBe(2000);
    expect(evaluation.train.to! < evaluation.test.from!).toBe(true);
  });

  it('is calibrated against the true probabilities and ranks nearly as well as the truth', () => {
    const ece = expectedCalibrationError(scores, trueProbabilities)!;
    const auc = rocAuc(scores, labels)!;
    const bestAuc = rocAuc(trueProbabilities, labels)!;
    console.info(
      `generated leads: method ${evaluation.method}, AUC ${auc.toFixed(3)} (truth ${bestAuc.toFixed(3)}), ` +
        `log loss ${evaluation.model?.logLoss?.toFixed(4)}, Brier ${evaluation.model?.brier?.toFixed(4)}, ` +
        `ECE vs truth ${ece.toFixed(4)}, baseline AUC ${evaluation.baseline.auc?.toFixed(3)} ` +
        `log loss ${evaluation.baseline.logLoss?.toFixed(4)}; candidates ${JSON.stringify({
          logistic: evaluation.candidates?.logistic.logLoss,
          naiveBayes: evaluation.candidates?.naiveBayes.logLoss,
        })}`,
    );
    expect(ece).toBeLessThan(0.03);
    expect(auc).toBeGreaterThan(bestAuc - 0.02);
  });

  it('beats the source conversion rate baseline on log loss and AUC', () => {
    expect(evaluation.model!.logLoss!).toBeLessThan(evaluation.baseline.logLoss!);
    expect(evaluation.model!.auc!).toBeGreaterThan(evaluation.baseline.auc! + 0.05);
  });

  it('reports "not enough history" below 100 conversions in the older part', () => {
    const few = evaluateLeadCases(syntheticLeads({ count: 300, seed: 3 }));
    expect(few.train.conversions).toBeLessThan(100);
    expect(few.status).toBe('notEnoughHistory');
    expect(few.model).toBeNull();
    expect(few.baseline.cases).toBe(75);
  });
});
